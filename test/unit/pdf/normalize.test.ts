import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { buildVocabulary, joinHyphenated, normaliseChars, repairLigatures } from '../../../src/core/pdf/normalize';

suite('PDF character normalisation', () => {
  test('missing ligature glyphs (U+0000 from pdf.js, U+FFFE from PDFium) are repaired to real words', () => {
    const vocab = buildVocabulary(['The effect was different in the first field.']);
    const { text, repaired } = repairLigatures(
      'di\u0000erent e\u0000ect, signi\u0000cant, e\u0000cient, in\u0000uence, \u0000rst, o\u0000, di\uFFFEerent',
      vocab,
    );
    assert.equal(text, 'different effect, significant, efficient, influence, first, off, different');
    assert.equal(repaired, 8);
  });

  test("the document's own words decide between candidates", () => {
    // "a\u0000x" could be afix/affix: the document spells "affix" elsewhere.
    assert.equal(repairLigatures('a\u0000x', buildVocabulary(['an affix here'])).text, 'affix');
    // A compound ending in a known word: bright + field.
    assert.equal(repairLigatures('bright\u0000eld', buildVocabulary(['the field'])).text, 'brightfield');
  });

  test("names and hashes are not given a guessed ligature: a known spelling, the document's usage, or a visible gap", () => {
    const prose = buildVocabulary(['The workflow and the flow of effort were different at first, a specific finding.']);
    // Between a vowel and "o" the ligature is "ff" (effort, afford), not "fl" (flow, workflow).
    assert.equal(repairLigatures('Gi\u0000ord et al.', prose).text, 'Gifford et al.');
    // No known word has "lff" or "lfl": nothing says which ligature the name has, so the gap stays visible.
    assert.equal(repairLigatures('Pandol\u0000 and', prose).text, 'Pandol\uFFFD and');
    // The document spells the name cleanly elsewhere.
    const withNames = buildVocabulary(['as Gifford and Pandolfi showed in the workflow and the flow']);
    assert.equal(repairLigatures('Gi\u0000ord and Pandol\u0000', withNames).text, 'Gifford and Pandolfi');
    // The document's own words have "ff" between "o" and "e" (offer): that is the most likely ligature.
    assert.equal(repairLigatures('Bo\u0000er', buildVocabulary(['an offer, offered twice', 'workflow'])).text, 'Boffer');
    // A commit hash or identifier: digits next to the glyph, no ligature belongs there.
    const hash = repairLigatures('commit 44\u000095a', prose);
    assert.deepEqual(hash, { text: 'commit 44\uFFFD95a', repaired: 0 });
    // Plain lower-case words still get the letter rule.
    assert.equal(repairLigatures('brie\u0000y', prose).text, 'briefly');
  });

  test('NFKC turns ligature code points into letters; control characters become spaces', () => {
    assert.deepEqual(normaliseChars('\uFB01nd \uFB02ow \uFB00ect'), { text: 'find flow ffect', removed: 0 });
    const symbol = normaliseChars('2\u00035\u0003mm \uFFFDx\u0007');
    assert.equal(symbol.removed, 4);
    assert.equal(symbol.text, '2 5 mm  x ');
  });

  test('de-hyphenation keeps compounds and joins split words', () => {
    const vocab = buildVocabulary(['the experiment and the non-linear model, tissue and specific cells']);
    assert.deepEqual(joinHyphenated('main experi-', 'ment twice', vocab), { text: 'main experiment twice', dropped: true });
    assert.deepEqual(joinHyphenated('the DNA-', 'protein binding', vocab), { text: 'the DNA-protein binding', dropped: false });
    assert.deepEqual(joinHyphenated('is non-', 'linear here', vocab), { text: 'is non-linear here', dropped: false });
    assert.deepEqual(joinHyphenated('a tissue-', 'specific effect', vocab), { text: 'a tissue-specific effect', dropped: false });
    assert.deepEqual(joinHyphenated('unknown fragmen-', 'tation', vocab), { text: 'unknown fragmentation', dropped: true });
    assert.deepEqual(joinHyphenated('soft hy\u00AD', 'phen', vocab), { text: 'soft hyphen', dropped: true });
  });
});

suite('de-hyphenation with the document vocabulary', () => {
  test('the halves of words broken at line ends do not count as words ("lineariza-tion", "eval-uations")', () => {
    const lines = ['We apply a lineariza-', 'tion of the model and report the eval-', 'uations in the appendix.'];
    const vocab = buildVocabulary(lines);
    assert.equal(vocab.get('lineariza'), undefined);
    assert.equal(vocab.get('eval'), undefined);
    assert.deepEqual(joinHyphenated('We apply a lineariza-', 'tion of the model', vocab), {
      text: 'We apply a linearization of the model',
      dropped: true,
    });
    assert.deepEqual(joinHyphenated('report the eval-', 'uations in the appendix', vocab), {
      text: 'report the evaluations in the appendix',
      dropped: true,
    });
  });
});
