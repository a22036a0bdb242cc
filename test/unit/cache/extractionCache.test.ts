import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import {
  ExtractionCache,
  InMemoryKeyValueStore,
  contentHash,
  decodeExtraction,
  encodeExtraction,
} from '../../../src/core/cache/extractionCache';
import { isCancellationError, type PdfExtraction, type PdfTextExtractor } from '../../../src/core';
import { extractPdfText } from '../../../src/pdf/engine';
import { bibtexParser } from '../../../src/pdf/bibtex';
import { sectionsPdf } from '../../fixtures/pdf-gen/generate';
import { InMemoryFiles, createReader, note, signal } from '../sources/inMemoryWorkspace';

const STATS = { ligaturesRepaired: 0, controlCharsRemoved: 0, hyphenationsJoined: 0, repeatedLinesRemoved: 0, twoColumnPages: 0 };

/** A stand-in for the engine: pages are the file's text split at form feeds; one section per page. */
function fakeExtraction(bytes: Uint8Array): PdfExtraction {
  const pages = new TextDecoder().decode(bytes).split('\f');
  const text = pages.map((p, i) => `[page ${i + 1}]\n\n${p}`).join('\n\n');
  const sections = pages.map((p, i) => ({
    title: `Part ${i + 1}`,
    level: 1,
    text: `[page ${i + 1}]\n\n${p}`,
    location: { page: i + 1 },
    role: 'body' as const,
  }));
  return { pageCount: pages.length, pagesRead: pages.length, pages, text, sections, stats: STATS, characters: pages.join('').length };
}

/** The fake engine, counting calls and the most extractions seen running at once. */
function countingEngine(delayMs = 0): PdfTextExtractor & { calls: number; maxActive: number } {
  let active = 0;
  const engine = {
    calls: 0,
    maxActive: 0,
    async extract(bytes: Uint8Array): Promise<PdfExtraction> {
      engine.calls++;
      active++;
      engine.maxActive = Math.max(engine.maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      active--;
      return fakeExtraction(bytes);
    },
  };
  return engine;
}

const LONG = (tag: string): string =>
  `${tag}: the treated group improved by 12.5% over eight weeks, which the authors attribute to the dose schedule.`;

suite('extraction cache: stored form', () => {
  test('a real extraction survives the compact stored form unchanged, with each text stored once', async () => {
    const extraction = await extractPdfText(await sectionsPdf(), { name: 'sections.pdf' });
    assert.ok(extraction.sections.length >= 2, 'the fixture has sections');
    const stored = encodeExtraction(extraction);
    assert.deepEqual(decodeExtraction(stored), extraction);
    const plain = JSON.stringify(extraction).length;
    assert.ok(stored.length < plain * 0.7, `stored ${stored.length} chars vs plain ${plain}`);
    const longest = [...extraction.pages].sort((a, b) => b.length - a.length)[0] ?? '';
    assert.ok(longest.length > 100);
    assert.equal(stored.split(JSON.stringify(longest).slice(1, -1)).length - 1, 1, 'the longest page is stored once');
  });

  test('strings that are not in the text, and short ones, are stored as they are', () => {
    const text = `[page 1]\n\n${LONG('one')}\n\n[page 2]\n\n${LONG('two')}`;
    const extraction: PdfExtraction = {
      pageCount: 3,
      pagesRead: 3,
      pages: [LONG('one'), '', LONG('not in the text at all')],
      text,
      stats: STATS,
      characters: 10,
      sections: [
        { title: 'A', level: 1, text: `[page 1]\n\n${LONG('one')}`, location: { page: 1 }, role: 'body' },
        { title: 'B', level: 1, text: `[page 9]\n\n${LONG('two')}`, location: { page: 9, heading: 'B' }, role: 'references' },
        { title: 'C', level: 2, text: 'short', location: {}, role: 'body' },
        { title: 'D', level: 2, text: LONG('elsewhere'), location: {}, role: 'body' },
      ],
    };
    const stored = encodeExtraction(extraction);
    assert.deepEqual(decodeExtraction(stored), extraction);
    assert.equal(stored.split(LONG('one')).length - 1, 1, 'the text of page 1 is stored once');
    assert.ok(stored.includes(LONG('not in the text at all')) && stored.includes(LONG('elsewhere')));
  });

  test('entries written in the plain form before are still read; a span outside the text is a miss', async () => {
    const store = new InMemoryKeyValueStore();
    const extraction = fakeExtraction(new TextEncoder().encode(`${LONG('a')}\f${LONG('b')}`));
    const hash = await contentHash(new TextEncoder().encode('plain'));
    await new ExtractionCache(store).set(hash, extraction);
    const [key] = [...store.map.keys()];
    assert.ok(key);
    store.map.set(key, JSON.stringify(extraction));
    assert.deepEqual(await new ExtractionCache(store).get(hash), extraction);
    store.map.set(key, encodeExtraction(extraction).replace(/"pages":\[\[\d+,\d+\]/, '"pages":[[0,99999999]'));
    assert.equal(await new ExtractionCache(store).get(hash), undefined);
  });
});

suite('extraction cache: in-session memo', () => {
  test('a hash is remembered by uri, size and mtime; a changed size or mtime, or an unknown mtime, forgets it', async () => {
    const cache = new ExtractionCache(new InMemoryKeyValueStore());
    await cache.rememberHash('file:///ws/a.pdf', { size: 10, mtime: 1000 }, 'h1');
    assert.equal(cache.hashFor('file:///ws/a.pdf', { size: 10, mtime: 1000 }), 'h1');
    assert.equal(cache.hashFor('file:///ws/a.pdf', { size: 11, mtime: 1000 }), undefined);
    assert.equal(cache.hashFor('file:///ws/a.pdf', { size: 10, mtime: 1001 }), undefined);
    assert.equal(cache.hashFor('file:///ws/b.pdf', { size: 10, mtime: 1000 }), undefined);
    await cache.rememberHash('file:///ws/c.pdf', { size: 10, mtime: 0 }, 'h2');
    assert.equal(cache.hashFor('file:///ws/c.pdf', { size: 10, mtime: 0 }), undefined, 'mtime 0 is never trusted');
  });

  test('the memory layer keeps the most recently used extractions within its character budget', async () => {
    const store = new InMemoryKeyValueStore();
    const cache = new ExtractionCache(store, undefined, { memoryChars: 700 });
    const make = (tag: string): PdfExtraction => fakeExtraction(new TextEncoder().encode(`${LONG(tag)} ${LONG(tag)}`));
    for (const tag of ['a', 'b', 'c']) await cache.set(tag, make(tag));
    await cache.get('a');
    await cache.set('d', make('d'));
    // Damage the store: what still comes back unchanged was served from memory.
    for (const key of store.map.keys()) store.map.set(key, '{damaged');
    assert.ok(await cache.get('a'), 'used lately: kept');
    assert.ok(await cache.get('d'), 'newest: kept');
    assert.equal(await cache.get('b'), undefined, 'least recently used: evicted from memory, and the store entry is damaged');
  });
});

suite('source reader with the extraction cache', () => {
  test('an unchanged PDF is neither read nor hashed again in the session; a new size or mtime reads it again', async () => {
    const fs = new InMemoryFiles({ 'index.md': '' });
    fs.add('papers/p.pdf', `${LONG('first')}\f${LONG('second')}`, 1_000);
    const engine = countingEngine();
    const { reader } = createReader(fs, { pdf: engine });
    const doc = note('index.md', '[[p.pdf]]');
    const first = await reader.collect(doc, { signal });
    assert.equal(first.sources[0]?.status, 'ok');
    assert.equal(fs.reads, 1);
    const again = await reader.collect(doc, { signal });
    assert.equal(fs.reads, 1, 'same size and mtime: not read again');
    assert.equal(again.sources[0]?.text, first.sources[0]?.text);
    assert.equal(again.sources[0]?.contentHash, first.sources[0]?.contentHash);

    fs.add('papers/p.pdf', `${LONG('FIRST')}\f${LONG('second')}`, 2_000);
    const touched = await reader.collect(doc, { signal });
    assert.equal(fs.reads, 2, 'new mtime: read again');
    assert.match(touched.sources[0]?.text ?? '', /FIRST/);
    assert.notEqual(touched.sources[0]?.contentHash, first.sources[0]?.contentHash);

    fs.add('papers/p.pdf', `${LONG('FIRST')}\f${LONG('second')} more`, 2_000);
    const grown = await reader.collect(doc, { signal });
    assert.equal(fs.reads, 3, 'new size, same mtime: read again');
    assert.match(grown.sources[0]?.text ?? '', /more/);
    assert.equal(engine.calls, 3);
  });

  test('across sessions the persisted cache is found by the hash of the bytes: an edit that kept size and mtime is not served stale', async () => {
    const store = new InMemoryKeyValueStore();
    const fs = new InMemoryFiles({ 'index.md': '' });
    fs.add('papers/p.pdf', `${LONG('before')}\f${LONG('page two')}`, 5_000);
    const doc = note('index.md', '[[p.pdf]]');
    const engine = countingEngine();
    const session1 = createReader(fs, { pdf: engine, cache: new ExtractionCache(store) });
    assert.match((await session1.reader.collect(doc, { signal })).sources[0]?.text ?? '', /before/);

    // Same length, same mtime, other bytes: within session 1 the stamp is trusted (as VS Code and make do)…
    fs.add('papers/p.pdf', `${LONG('BEFORE')}\f${LONG('page two')}`, 5_000);
    assert.match((await session1.reader.collect(doc, { signal })).sources[0]?.text ?? '', /before/);
    // …but a new session hashes the bytes and extracts the new content.
    const session2 = createReader(fs, { pdf: engine, cache: new ExtractionCache(store) });
    assert.match((await session2.reader.collect(doc, { signal })).sources[0]?.text ?? '', /BEFORE/);
    assert.equal(engine.calls, 2);

    // The same bytes under another name, in a third session: served from the store by hash, no extraction.
    fs.add('papers/copy.pdf', `${LONG('BEFORE')}\f${LONG('page two')}`, 9_000);
    const session3 = createReader(fs, { pdf: engine, cache: new ExtractionCache(store) });
    const copy = await session3.reader.collect(note('index.md', '[[copy.pdf]]'), { signal });
    assert.match(copy.sources[0]?.text ?? '', /BEFORE/);
    assert.equal(engine.calls, 2, 'found by content hash');
  });

  test('a new session trusts a stored hash only when size, mtime and change time are all unchanged', async () => {
    const store = new InMemoryKeyValueStore();
    const fs = new InMemoryFiles({ 'index.md': '' });
    fs.add('papers/p.pdf', `${LONG('before')}\f${LONG('page two')}`, 5_000);
    const doc = note('index.md', '[[p.pdf]]');
    const engine = countingEngine();
    const session = (): ReturnType<typeof createReader>['reader'] =>
      createReader(fs, { pdf: engine, cache: new ExtractionCache(store) }).reader;
    const first = await session().collect(doc, { signal });
    assert.equal(fs.reads, 1);

    // Unchanged file, new session: neither read nor hashed, the same text and hash.
    const again = await session().collect(doc, { signal });
    assert.equal(fs.reads, 1, 'found by its stored stamp');
    assert.equal(again.sources[0]?.text, first.sources[0]?.text);
    assert.equal(again.sources[0]?.contentHash, first.sources[0]?.contentHash);

    // The same size and mtime but new bytes (a restored backup): the change time moved, so it is read again.
    fs.add('papers/p.pdf', `${LONG('BEFORE')}\f${LONG('page two')}`, 5_000);
    assert.match((await session().collect(doc, { signal })).sources[0]?.text ?? '', /BEFORE/);
    assert.equal(fs.reads, 2);
    assert.equal(engine.calls, 2);

    // A host without a change time (a virtual file system): every new session reads and hashes, as before.
    fs.reportChangeTime = false;
    await session().collect(doc, { signal });
    await session().collect(doc, { signal });
    assert.equal(fs.reads, 4, 'no change time, no trust across sessions');
    fs.reportChangeTime = true;

    // A damaged or foreign stamp entry is a miss, never a wrong hash.
    const stamps = [...store.map.keys()].filter((key) => key.startsWith('stamp-'));
    assert.equal(stamps.length, 1);
    for (const key of stamps) await store.set(key, '{"uri": 1');
    assert.match((await session().collect(doc, { signal })).sources[0]?.text ?? '', /BEFORE/);
    assert.equal(fs.reads, 5, 'damaged entry: read and hashed');
    assert.equal(engine.calls, 2, 'and found by its hash: nothing extracted again');
    await session().collect(doc, { signal });
    assert.equal(fs.reads, 5, 'the stamp was stored again');
  });

  test('several papers are read at once but keep note order, and extractions never overlap', async () => {
    const fs = new InMemoryFiles({ 'index.md': '' });
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const [i, n] of names.entries()) fs.add(`papers/${n}.pdf`, `${LONG(`paper ${n}`)}\f${LONG('end')}`, 1_000 + i);
    const engine = countingEngine(5);
    const { reader } = createReader(fs, { pdf: engine });
    const reported: string[] = [];
    const result = await reader.collect(note('index.md', names.map((n) => `[[${n}.pdf]]`).join(' ')), {
      signal,
      progress: { report: (m) => reported.push(m) },
    });
    assert.deepEqual(
      result.sources.map((s) => s.id),
      names.map((n) => `papers/${n}.pdf`),
    );
    for (const [i, n] of names.entries()) assert.match(result.sources[i]?.text ?? '', new RegExp(`paper ${n}`));
    assert.equal(engine.calls, names.length);
    assert.equal(engine.maxActive, 1, 'one extraction at a time');
    assert.equal(reported.length, names.length);
  });

  test('warm() loads already extracted papers into the session ahead of an action, and never extracts', async () => {
    const store = new InMemoryKeyValueStore();
    const fs = new InMemoryFiles({ 'index.md': '' });
    fs.add('papers/done.pdf', LONG('extracted in an earlier session'), 3_000);
    fs.add('papers/new.pdf', LONG('never extracted'), 3_000);
    const engine = countingEngine();
    await createReader(fs, { pdf: engine, cache: new ExtractionCache(store) }).reader.collect(note('index.md', '[[done.pdf]]'), { signal });
    assert.equal(engine.calls, 1);

    const doc = note('index.md', '[[done.pdf]] [[new.pdf]] [[Other]]');
    const { reader } = createReader(fs, { pdf: engine, cache: new ExtractionCache(store) });
    const reads = fs.reads;
    assert.equal(await reader.warm(doc, signal), 1, 'only the paper already in the persisted cache');
    assert.equal(engine.calls, 1, 'nothing extracted');
    assert.equal(fs.reads, reads + 1, 'the extracted paper is known by its stored stamp; only the other one is read, to look it up');
    const collected = await reader.collect(doc, { signal });
    assert.equal(fs.reads, reads + 2, 'the warmed paper is not read again; the other one is, to extract it');
    assert.equal(engine.calls, 2);
    assert.match(collected.sources[0]?.text ?? '', /earlier session/);

    const untrusted = createReader(fs, { pdf: engine, cache: new ExtractionCache(store), trusted: false });
    assert.equal(await untrusted.reader.warm(doc, signal), 0);
    assert.equal(fs.reads, reads + 2, 'an untrusted workspace reads nothing');
  });

  test('warm() starts the PDF engine in the background when a linked paper is not extracted yet, and only then', async () => {
    const store = new InMemoryKeyValueStore();
    const fs = new InMemoryFiles({ 'index.md': '' });
    fs.add('papers/done.pdf', LONG('extracted in an earlier session'), 3_000);
    fs.add('papers/new.pdf', LONG('never extracted'), 3_000);
    let prewarmed = 0;
    const samples: string[] = [];
    const engine = Object.assign(countingEngine(), {
      prewarm: (given: readonly Uint8Array[] = []) =>
        Promise.resolve(void (prewarmed++, samples.push(given.map((b) => new TextDecoder().decode(b)).join('|')))),
    });
    await createReader(fs, { pdf: engine, cache: new ExtractionCache(store) }).reader.collect(note('index.md', '[[done.pdf]]'), { signal });

    const fresh = (): ReturnType<typeof createReader>['reader'] =>
      createReader(fs, { pdf: engine, cache: new ExtractionCache(store) }).reader;
    await fresh().warm(note('index.md', '[[done.pdf]]'), signal);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(prewarmed, 0, 'every linked paper is extracted already: the engine is not needed');
    await fresh().warm(note('index.md', '[[done.pdf]] [[new.pdf]]'), signal);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(prewarmed, 1, 'the paper not extracted yet starts the engine');
    assert.deepEqual(samples, [new TextDecoder().decode(await fs.readBytes(fs.uri('papers/new.pdf')))], 'warmed on that paper');
    assert.equal(engine.calls, 1, 'warming still extracts nothing');

    // Several papers not extracted yet: the first three in the note's order (their fonts differ).
    for (const name of ['a', 'b', 'c', 'd']) fs.add(`papers/${name}.pdf`, LONG(`paper ${name}`), 3_000);
    samples.length = 0;
    await fresh().warm(note('index.md', '[[done.pdf]] [[a.pdf]] [[b.pdf]] [[c.pdf]] [[d.pdf]]'), signal);
    await new Promise((resolve) => setImmediate(resolve));
    const text = async (name: string): Promise<string> => new TextDecoder().decode(await fs.readBytes(fs.uri(`papers/${name}.pdf`)));
    assert.deepEqual(samples, [[await text('a'), await text('b'), await text('c')].join('|')], 'warmed once, on a, b and c');
    assert.equal(engine.calls, 1, 'warming still extracts nothing');

    // A scanned book of 40 MB is no sample: its bytes would be copied to every worker for three pages.
    const book = new Uint8Array(40 * 1024 * 1024).fill(0x20);
    book.set(new TextEncoder().encode(LONG('a scanned book')));
    fs.add('papers/book.pdf', book, 3_000);
    fs.add('papers/e.pdf', LONG('paper e'), 3_000);
    samples.length = 0;
    await fresh().warm(note('index.md', '[[done.pdf]] [[book.pdf]] [[e.pdf]]'), signal);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(samples, [await text('e')], 'warmed on e only: the book was left out');
  });

  test('a bibliography is parsed once per content: unchanged text is not parsed again, an edit is', async () => {
    const bib = (title: string): string => `@article{smith2020, title = {${title}}, file = {papers/s.pdf}}\n`;
    const fs = new InMemoryFiles({ 'index.md': '', 'refs.bib': bib('First title') });
    fs.add('papers/s.pdf', LONG('smith'), 1_000);
    let parses = 0;
    const { reader } = createReader(fs, { pdf: countingEngine(), bibtex: { parse: (text) => (parses++, bibtexParser.parse(text)) } });
    const doc = note('index.md', '---\nbibliography: refs.bib\n---\nSee [@smith2020].');
    assert.equal((await reader.collect(doc, { signal })).sources[0]?.title, 'First title');
    assert.equal((await reader.collect(doc, { signal })).sources[0]?.title, 'First title');
    assert.equal(parses, 1);
    fs.add('refs.bib', bib('Second title'));
    assert.equal((await reader.collect(doc, { signal })).sources[0]?.title, 'Second title');
    assert.equal(parses, 2);
  });

  test('a bibliography parse under way is shared: an action started while the note opens does not parse again', async () => {
    const fs = new InMemoryFiles({ 'index.md': '', 'refs.bib': '@article{smith2020, title = {Shared}, file = {papers/s.pdf}}\n' });
    fs.add('papers/s.pdf', LONG('smith'), 1_000);
    let parses = 0;
    const slow = { parse: async (text: string) => (parses++, await new Promise((r) => setTimeout(r, 50)), bibtexParser.parse(text)) };
    const { reader } = createReader(fs, { pdf: countingEngine(), bibtex: slow });
    const doc = note('index.md', '---\nbibliography: refs.bib\n---\nSee [@smith2020].');
    const reports: string[] = [];
    const progress = { report: (message: string) => void reports.push(message) };
    const [, collected] = await Promise.all([reader.warm(doc, signal), reader.collect(doc, { signal, progress })]);
    assert.equal(collected.sources[0]?.title, 'Shared');
    assert.equal(parses, 1);
    assert.ok(
      reports.some((r) => /bibliography/i.test(r)),
      'the wait for the bibliography is reported',
    );
  });

  test('cancellation while papers are read rejects collect with Cancelled', async () => {
    const fs = new InMemoryFiles({ 'index.md': '' });
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) fs.add(`papers/${n}.pdf`, LONG(n), 1_000);
    const controller = new AbortController();
    const engine: PdfTextExtractor = { extract: async (bytes) => (controller.abort(), fakeExtraction(bytes)) };
    const { reader } = createReader(fs, { pdf: engine });
    await assert.rejects(
      reader.collect(note('index.md', '[[a.pdf]] [[b.pdf]] [[c.pdf]] [[d.pdf]] [[e.pdf]] [[f.pdf]]'), { signal: controller.signal }),
      (e: unknown) => isCancellationError(e),
    );
  });
});
