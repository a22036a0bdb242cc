import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { splitSource } from '../../../src/core/sources/split';
import { estimateTextTokens, estimateTokens } from '../../../src/core/llm/tokens';
import { countTokens } from '../../fakeServer/tokenizer';
import type { Source, SourceSection } from '../../../src/core/sources/types';
import { ExtractionCache, InMemoryKeyValueStore, contentHash } from '../../../src/core/cache/extractionCache';
import type { PdfExtraction } from '../../../src/core/pdf/types';

function source(sections: SourceSection[]): Source {
  const text = sections.map((s) => s.text).join('\n\n');
  return {
    id: 'p.pdf',
    uri: 'file:///ws/p.pdf',
    title: 'P',
    kind: 'pdf',
    status: 'ok',
    text,
    sections,
    tokenEstimate: estimateTokens(text),
  };
}

const para = (n: number, words: number): string => Array.from({ length: words }, (_, i) => `word${n}x${i}`).join(' ') + '.';

/**
 * The estimator's definition, word by word and one code point at a time (what the faster scan in tokens.ts must
 * equal), in hundredths of a token for the high end and tenths for the low bound.
 */
function referenceEstimate(text: string): { low: number; high: number } {
  const cjkRe = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
  let high = 0;
  let low = 0;
  // Words: runs of ASCII letters and Latin-1/Latin Extended letters.
  for (const [word] of text.matchAll(/[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+/g)) {
    const length = word.length;
    high += length <= 9 ? 107 : 190 + Math.max(0, length - 12) * 34;
    high += (word.match(/[a-z\u00c0-\u024f](?=[A-Z])/g) ?? []).length * 86;
    if (/^[A-Z]+$/.test(word) && length > 1) high += length * 20;
    else if (/^[A-Z]/.test(word)) high += 25;
    high += (word.match(/[\u00c0-\u024f]/g) ?? []).length * 150;
    low += 8;
  }
  // Whitespace runs: one with a line break is half a token; one before a digit is a token.
  for (const m of text.matchAll(/[ \n\t\r]+/g)) {
    if (/[\n\r]/.test(m[0])) high += 50;
    else if (/[0-9]/.test(text[(m.index ?? 0) + m[0].length] ?? '')) high += 100;
  }
  // ASCII punctuation runs: the first mark is a token, the others merge.
  for (const [run] of text.matchAll(/[!-/:-@[-`{-~]+/g)) {
    high += 140 + (run.length - 1) * 70;
    low += run.length * 2;
  }
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (/[0-9]/.test(ch)) {
      high += 100;
      low += 10;
    } else if (code < 0x80 || (code >= 0xc0 && code < 0x250 && code !== 0xd7 && code !== 0xf7)) continue;
    else if (code < 0x250) {
      high += 100;
      low += 2;
    } else if (cjkRe.test(ch)) {
      high += 100;
      low += 6;
    } else {
      high += 150;
      low += 2;
    }
  }
  return { low: Math.floor(low / 10), high: Math.ceil(high / 100) };
}

suite('token estimates and splitting', () => {
  test('the estimate counts Latin, CJK and other code points exactly as defined, surrogate pairs and lone halves included', () => {
    const pieces = [
      'word ',
      'Word ',
      'camelCase',
      'DNA',
      'Behandlungsergebnisse ',
      'résumé',
      'Øvergaard',
      '), ',
      ' 7',
      '\r\n',
      ' \t',
      '×',
      '±',
      'é',
      'ß',
      'ǿ',
      'ɐ',
      'α',
      '–',
      '“',
      '深度',
      '学习',
      'の',
      'カ',
      '한국',
      '、',
      '，',
      '😀',
      '𠀀',
      '\ud800',
      '\udc00',
      '42.5%',
      '\n\n',
      'ﬁ',
      '\u3000',
    ];
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (const length of [0, 1, 50, 3000, 20000]) {
      let text = '';
      while (text.length < length) text += pieces[rand(pieces.length)];
      assert.deepEqual(estimateTextTokens(text), referenceEstimate(text), `length ${text.length}`);
    }
    const latinOnly = 'Plain ASCII prose, 12.5% of it digits. '.repeat(200);
    assert.deepEqual(estimateTextTokens(latinOnly), referenceEstimate(latinOnly));
  });

  test('CJK text weighs more than Latin text per character; digits are a token each', () => {
    // Planning estimate = high end of llm/tokens.ts plus 10 %, rounded up.
    assert.equal(estimateTokens('a'.repeat(1400)), 522); // one word of 1400 letters: ceil(1.9 + (1400 − 12) × 0.34) = 474, × 1.1 = 521.4
    assert.equal(estimateTokens('研'.repeat(1400)), 1540); // 1400 × 1.1, exactly (no float round-up)
    assert.equal(estimateTokens('7'.repeat(1400)), 1540); // every digit is a token
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('mixed 中文 text'), 6); // 2 short words, 2 CJK: ceil(2 × 1.07 + 2) = 5, × 1.1 = 5.5
  });

  test("the planning estimate is never below the fake servers' tokenizer count, for English and Chinese prose", () => {
    const paragraphs = [
      'The study enrolled 412 adults with type 2 diabetes and followed them for eighteen months. The primary end point was the change in HbA1c; secondary end points included weight, blood pressure and adverse events.',
      'I think a lot of it is in the data: if we go by what is in the appendix, the effect is at or below 0.3 SD, and it is not clear to me why it was not reported as such (see Table 2, p. 14).',
      'Sleep spindles (11–16 Hz) were detected automatically with a validated algorithm; the per-minute density in N2 correlated with overnight retention (r = 0.41, 95% CI 0.18–0.60, n = 96).',
      '本研究纳入了四百一十二名二型糖尿病成人患者，随访十八个月，主要终点为糖化血红蛋白的变化。',
      '睡眠纺锤波（11–16 Hz）由经过验证的算法自动检测；N2 期每分钟密度与过夜记忆保持呈正相关（r = 0.41，95% CI 0.18–0.60，n = 96）。',
      '我们认为，深睡眠对记忆巩固的作用在老年人中减弱，但这一结论仍需更大样本的随机对照试验加以验证。参见表 2 与附录 B。',
    ];
    for (const text of [...paragraphs, paragraphs.join('\n\n')]) {
      const estimate = estimateTokens(text);
      const counted = countTokens(text);
      assert.ok(estimate >= counted, `estimate ${estimate} < tokenizer ${counted} for: ${text.slice(0, 40)}…`);
      // Conservative, not wasteful: a budget far above the real count would split sources needlessly.
      assert.ok(estimate <= counted * 2 + 8, `estimate ${estimate} far above tokenizer ${counted} for: ${text.slice(0, 40)}…`);
    }
    // The parts a split plans are conservative too (each part's text counted as it is sent).
    const s = source(
      paragraphs.map((text, i) => ({ title: `S${i}`, level: 1, text: `${text} ${text}\n\n${text}`, location: {}, role: 'body' as const })),
    );
    const parts = splitSource(s, { budgetTokens: 60 });
    assert.ok(parts.length > paragraphs.length);
    for (const p of parts)
      assert.ok(
        p.tokenEstimate >= countTokens(p.text) && p.tokenEstimate <= 60,
        `part ${p.index}: ${p.tokenEstimate} vs ${countTokens(p.text)}`,
      );
  });

  test('sections that fit are packed together; references are left out by default', () => {
    const s = source([
      { title: 'Intro', level: 1, text: para(1, 20), location: { page: 1 }, role: 'body' },
      { title: 'Methods', level: 1, text: para(2, 20), location: { page: 2 }, role: 'body' },
      { title: 'References', level: 1, text: para(3, 20), location: { page: 3 }, role: 'references' },
    ]);
    const parts = splitSource(s, { budgetTokens: 10_000 });
    assert.equal(parts.length, 1);
    assert.equal(parts[0]?.title, 'Intro / Methods');
    assert.doesNotMatch(parts[0]?.text ?? '', /word3x/);
    assert.equal(splitSource(s, { budgetTokens: 10_000, includeReferences: true })[0]?.title, 'Intro / Methods / References');
  });

  test('splits on sections first, then paragraphs, keeping the page of each part', () => {
    const big = [para(1, 60), '[page 4]', para(2, 60), para(3, 60)].join('\n\n');
    const s = source([
      { title: 'Intro', level: 1, text: para(0, 30), location: { page: 1 }, role: 'body' },
      { title: 'Results', level: 1, text: big, location: { page: 3 }, role: 'body' },
    ]);
    const budget = estimateTokens(para(1, 60)) + 10;
    const parts = splitSource(s, { budgetTokens: budget });
    assert.ok(parts.length >= 3);
    for (const p of parts) assert.ok(p.tokenEstimate <= budget, `part ${p.index} fits (${p.tokenEstimate} <= ${budget})`);
    assert.equal(parts[0]?.title, 'Intro');
    assert.equal(parts[1]?.location.page, 3);
    assert.equal(parts.at(-1)?.location.page, 4);
    const joined = parts.map((p) => p.text).join('\n\n');
    for (const n of [0, 1, 2, 3]) assert.match(joined, new RegExp(`word${n}x0 `), `paragraph ${n} kept`);
    assert.deepEqual(
      parts.map((p) => p.index),
      parts.map((_, i) => i),
    );
    // Each part lists its sections (what the pipeline puts locators before): whole ones as they are, pieces numbered.
    assert.equal(parts[0]?.sections[0], s.sections[0]);
    const pieces = parts.flatMap((p) => p.sections).filter((x) => x.title.startsWith('Results'));
    assert.deepEqual(
      pieces.map((x) => x.title),
      pieces.map((_, i) => `Results (${i + 1}/${pieces.length})`),
    );
    assert.equal(pieces.at(-1)?.location.page, 4);
    for (const p of parts) assert.equal(p.sections.map((x) => x.text).join('\n\n'), p.text);
  });

  test('a paragraph larger than the budget is cut at sentences, then hard', () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence ${i} has several words in it.`).join(' ');
    const parts = splitSource(source([{ title: 'A', level: 1, text: long, location: {}, role: 'body' }]), { budgetTokens: 40 });
    assert.ok(parts.length > 5);
    for (const p of parts) assert.ok(p.tokenEstimate <= 40);
    assert.match(parts[0]?.text ?? '', /^Sentence 0 has several words in it\./);
    const cjk = '研'.repeat(500);
    const cjkParts = splitSource(source([{ title: 'B', level: 1, text: cjk, location: {}, role: 'body' }]), { budgetTokens: 50 });
    for (const p of cjkParts) assert.ok(p.tokenEstimate <= 50);
    assert.equal(cjkParts.map((p) => p.text).join(''), cjk);
  });

  test('the extraction cache stores by content hash and survives a damaged entry', async () => {
    const store = new InMemoryKeyValueStore();
    const cache = new ExtractionCache(store);
    const hash = await contentHash(new TextEncoder().encode('abc'));
    // The first 256 bits of SHA-512("abc") (FIPS 180-2 test vector).
    assert.equal(hash, 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a');
    const extraction: PdfExtraction = {
      pageCount: 1,
      pagesRead: 1,
      pages: ['x'],
      text: '[page 1]\n\nx',
      sections: [],
      stats: { ligaturesRepaired: 0, controlCharsRemoved: 0, hyphenationsJoined: 0, repeatedLinesRemoved: 0, twoColumnPages: 0 },
      characters: 1,
    };
    assert.equal(await cache.get(hash), undefined);
    await cache.set(hash, extraction);
    assert.deepEqual(await cache.get(hash), extraction);
    // A new session (a new cache object over the same store) reads the store: a damaged entry is a miss.
    assert.deepEqual(await new ExtractionCache(store).get(hash), extraction);
    for (const key of store.map.keys()) store.map.set(key, '{not json');
    assert.equal(await new ExtractionCache(store).get(hash), undefined);
    await cache.clear();
    assert.equal(await cache.get(hash), undefined, 'clear() empties the session memory too');
    assert.equal(store.map.size, 0);
  });
});
