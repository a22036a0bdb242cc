import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { chunkSource } from '../../../src/core/library/chunk';
import { estimateTokens } from '../../../src/core/llm/tokens';
import type { Source, SourceSection } from '../../../src/core/sources/types';

function source(text: string, sections: SourceSection[], kind: Source['kind'] = 'pdf'): Source {
  return { id: 'p.pdf', uri: 'file:///ws/p.pdf', title: 'P', kind, status: 'ok', text, sections, tokenEstimate: estimateTokens(text) };
}

/** A PDF-shaped source: page markers in the text, sections slicing it and repeating their page's marker. */
function pdfLike(): Source {
  const intro = Array.from({ length: 40 }, (_, i) => `Sentence ${i} of the introduction talks about wheat under heat stress.`).join(' ');
  const methods = Array.from({ length: 30 }, (_, i) => `Method step ${i} measures metabolites by mass spectrometry.`).join(' ');
  const refs = 'Smith J. Heat and wheat. Nature 2001.\n\nDoe A. Metabolomics methods. Science 2002.';
  const text = `[page 1]\n\n1 Introduction\n\n${intro}\n\n[page 2]\n\n2 Methods\n\n${methods}\n\n[page 3]\n\nReferences\n\n${refs}`;
  const at = (s: string): number => text.indexOf(s);
  const sections: SourceSection[] = [
    {
      title: '1 Introduction',
      level: 1,
      text: `[page 1]\n\n${text.slice(at('1 Introduction'), at('[page 2]')).trim()}`,
      location: { page: 1 },
      role: 'body',
    },
    {
      title: '2 Methods',
      level: 1,
      text: `[page 2]\n\n${text.slice(at('2 Methods'), at('[page 3]')).trim()}`,
      location: { page: 2 },
      role: 'body',
    },
    { title: 'References', level: 1, text: `[page 3]\n\n${text.slice(at('References'))}`, location: { page: 3 }, role: 'references' },
  ];
  return source(text, sections);
}

suite('library chunks', () => {
  test('follow pages and sections, with offsets into the source text and ids by path', () => {
    const s = pdfLike();
    const chunks = chunkSource(s, { path: 'papers/p.pdf', maxTokens: 120, overlapTokens: 20 });
    assert.ok(chunks.length >= 4, `${chunks.length} chunks`);
    for (const [i, c] of chunks.entries()) {
      assert.equal(c.id, `papers/p.pdf#${i}`);
      assert.equal(c.path, 'papers/p.pdf');
      assert.equal(c.uri, s.uri);
      assert.equal(s.text.slice(c.start, c.end).trim(), c.text);
      assert.ok(estimateTokens(c.text) <= 120 + 5, `chunk ${i} is ${estimateTokens(c.text)} tokens`);
      assert.doesNotMatch(c.text, /\[page \d+\]/);
    }
    const intro = chunks.filter((c) => c.section === '1 Introduction');
    const methods = chunks.filter((c) => c.section === '2 Methods');
    assert.ok(intro.length >= 2 && methods.length >= 2);
    assert.ok(intro.every((c) => c.page === 1));
    assert.ok(methods.every((c) => c.page === 2));
  });

  test('neighbouring chunks overlap by a sentence or so', () => {
    const chunks = chunkSource(pdfLike(), { path: 'p.pdf', maxTokens: 120, overlapTokens: 30 });
    const [a, b] = chunks;
    assert.ok(a && b && b.start < a.end, 'the second chunk starts inside the first');
    assert.ok(b.start > a.start, 'and still moves forward');
  });

  test('the references section is not indexed', () => {
    const chunks = chunkSource(pdfLike(), { path: 'p.pdf' });
    assert.ok(chunks.every((c) => c.section !== 'References' && !c.text.includes('Nature 2001')));
  });

  test('a page marker inside a section moves the chunks after it to that page', () => {
    const text = `[page 4]\n\nDiscussion\n\n${'Alpha beta gamma delta. '.repeat(60)}\n\n[page 5]\n\n${'Epsilon zeta eta theta. '.repeat(60)}`;
    const s = source(text, [{ title: 'Discussion', level: 1, text, location: { page: 4 }, role: 'body' }]);
    const chunks = chunkSource(s, { path: 'p.pdf', maxTokens: 100 });
    assert.ok(chunks.some((c) => c.page === 4 && c.text.includes('Alpha')));
    assert.ok(chunks.some((c) => c.page === 5 && c.text.includes('Epsilon')));
    assert.ok(chunks.every((c) => (c.text.includes('Epsilon') ? c.page === 5 : c.page === 4)));
  });

  test('Chinese text without spaces is cut at sentence ends within the budget', () => {
    const sentence = '小麦在高温胁迫下的代谢物变化显著，尤其是糖类和氨基酸的含量。';
    const text = sentence.repeat(80);
    const s = source(text, [], 'text');
    const chunks = chunkSource(s, { path: 'notes/中文.txt', maxTokens: 100, overlapTokens: 20 });
    assert.ok(chunks.length > 5, `${chunks.length} chunks`);
    for (const c of chunks) {
      assert.ok(estimateTokens(c.text) <= 105, `${estimateTokens(c.text)} tokens`);
      assert.ok(c.text.endsWith('。'), 'ends at a sentence end');
      assert.equal(c.page, undefined);
      assert.equal(text.slice(c.start, c.end).trim(), c.text);
    }
  });

  test('one overlong run without punctuation is cut by characters, still within the budget', () => {
    const text = '数据'.repeat(2000);
    const chunks = chunkSource(source(text, [], 'text'), { path: 'a.txt', maxTokens: 100 });
    assert.ok(chunks.length > 10);
    for (const c of chunks) assert.ok(estimateTokens(c.text) <= 110, `${estimateTokens(c.text)} tokens`);
    assert.equal(chunks.map((c) => c.text).join('').length >= text.length, true);
  });

  test('an unreadable source has no chunks', () => {
    assert.deepEqual(chunkSource({ ...source('', []), status: 'noText' }, { path: 'p.pdf' }), []);
  });
});
