import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { splitSource } from '../../../src/core/sources/split';
import { estimateTokens } from '../../../src/core/sources/tokens';
import type { Source, SourceSection } from '../../../src/core/sources/types';
import { ExtractionCache, InMemoryKeyValueStore, contentHash } from '../../../src/core/cache/extractionCache';
import type { PdfExtraction } from '../../../src/core/pdf/types';

function source(sections: SourceSection[]): Source {
  const text = sections.map((s) => s.text).join('\n\n');
  return { id: 'p.pdf', uri: 'file:///ws/p.pdf', title: 'P', kind: 'pdf', status: 'ok', text, sections, tokenEstimate: estimateTokens(text) };
}

const para = (n: number, words: number): string => Array.from({ length: words }, (_, i) => `word${n}x${i}`).join(' ') + '.';

suite('token estimates and splitting', () => {
  test('CJK text weighs about three times Latin text per character', () => {
    const latin = estimateTokens('a'.repeat(1400));
    const cjk = estimateTokens('研'.repeat(1400));
    assert.equal(latin, 350);
    assert.equal(cjk, 1000);
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('mixed 中文 text'), Math.ceil(2 / 1.4 + 12 / 4));
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
    assert.deepEqual(parts.map((p) => p.index), parts.map((_, i) => i));
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
    assert.equal(hash, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const extraction: PdfExtraction = { pageCount: 1, pagesRead: 1, pages: ['x'], text: '[page 1]\n\nx', sections: [], stats: { ligaturesRepaired: 0, controlCharsRemoved: 0, hyphenationsJoined: 0, repeatedLinesRemoved: 0, twoColumnPages: 0 }, characters: 1 };
    assert.equal(await cache.get(hash), undefined);
    await cache.set(hash, extraction);
    assert.deepEqual(await cache.get(hash), extraction);
    for (const key of store.map.keys()) store.map.set(key, '{not json');
    assert.equal(await cache.get(hash), undefined);
    await cache.clear();
    assert.equal(store.map.size, 0);
  });
});
