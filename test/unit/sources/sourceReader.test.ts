import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import type { Source } from '../../../src/core/sources/types';
import { pagesPdf, sectionsPdf, twoColumnPdf } from '../../fixtures/pdf-gen/generate';
import { InMemoryFiles, createReader, note, signal } from './inMemoryWorkspace';

function byId(sources: readonly Source[]): Record<string, Source> {
  return Object.fromEntries(sources.map((s) => [s.id, s]));
}

const OTHER = `---
title: Other note
---
# Other

Intro of the other note.

## Results

Growth rose by 12%. ^claim

## Discussion

Not this part.
`;

suite('DefaultSourceReader', () => {
  test('resolves wikilinks Obsidian-style: by name anywhere, case-insensitive, .md implied, shortest path wins', async () => {
    const fs = new InMemoryFiles({
      'notes/index.md': '',
      'deep/a/b/Other.md': '# Deep other\n\nwrong one',
      'Other.md': OTHER,
      'misc/Second Note.md': '# Second\n\nsecond body',
    });
    const { reader } = createReader(fs);
    const result = await reader.collect(note('notes/index.md', 'See [[other]] and [[second note|alias]].'), { signal });
    assert.deepEqual(
      result.sources.map((s) => [s.id, s.status, s.kind]),
      [
        ['Other.md', 'ok', 'markdown'],
        ['misc/Second Note.md', 'ok', 'markdown'],
      ],
    );
    assert.equal(result.sources[0]?.title, 'Other note');
    assert.match(result.sources[0]?.text ?? '', /Intro of the other note/);
    assert.equal(result.sources[0]?.link?.raw, '[[other]]');
  });

  test('a note in the same folder wins over a shorter path elsewhere', async () => {
    const fs = new InMemoryFiles({ 'Topic.md': 'root topic', 'notes/Topic.md': 'sibling topic', 'notes/index.md': '' });
    const { reader } = createReader(fs);
    const result = await reader.collect(note('notes/index.md', '[[Topic]]'), { signal });
    assert.equal(result.sources[0]?.id, 'notes/Topic.md');
  });

  test('heading and block anchors send only that part', async () => {
    const fs = new InMemoryFiles({ 'Other.md': OTHER, 'index.md': '' });
    const { reader } = createReader(fs);
    const result = await reader.collect(note('index.md', '[[Other#results]] [[Other#^claim]] [[Other#Nope]]'), { signal });
    const s = byId(result.sources);
    assert.equal(s['Other.md#results']?.text, '## Results\n\nGrowth rose by 12%. ^claim');
    assert.equal(s['Other.md#^claim']?.text, 'Growth rose by 12%.');
    assert.equal(s['Other.md#Nope']?.status, 'missing');
    assert.ok(!result.sources.some((x) => x.text.includes('Not this part')));
  });

  test('markdown links resolve relative to the note; missing, unsupported, outside-workspace and self links are reported', async () => {
    const fs = new InMemoryFiles({
      'notes/index.md': '',
      'papers/x.txt': 'plain text paper',
      'notes/data.csv': 'a,b',
      '/elsewhere/secret.md': 'outside',
      'page.html': '<html><head><title>t</title></head><body><p>Hello &amp; welcome</p><script>x()</script></body></html>',
    });
    const { reader } = createReader(fs);
    const text =
      '[x](../papers/x.txt) [gone](../papers/gone.pdf) [csv](data.csv) [out](file:///elsewhere/secret.md) [self](index.md) [h](/page.html) [web](https://example.org/a.pdf)';
    const result = await reader.collect(note('notes/index.md', text), { signal });
    assert.deepEqual(
      result.sources.map((s) => [s.id, s.status]),
      [
        ['papers/x.txt', 'ok'],
        ['papers/gone.pdf', 'missing'],
        ['notes/data.csv', 'unsupported'],
        ['/elsewhere/secret.md', 'outsideWorkspace'],
        ['notes/index.md', 'cycle'],
        ['page.html', 'ok'],
      ],
    );
    assert.match(result.sources[1]?.statusDetail ?? '', /papers\/gone\.pdf: file not found/);
    assert.equal(result.sources[5]?.text, 'Hello & welcome');
    const allowed = await createReader(fs, { config: { allowFilesOutsideWorkspace: true } }).reader.collect(
      note('notes/index.md', '[out](file:///elsewhere/secret.md)'),
      { signal },
    );
    assert.equal(allowed.sources[0]?.status, 'ok');
  });

  test('PDF links: whole text with page markers, page anchors give only those pages, the cache avoids re-extraction', async () => {
    const fs = new InMemoryFiles({ 'papers/p.pdf': await pagesPdf(3), 'index.md': '' });
    const { reader, pdfCalls } = createReader(fs);
    const text = '![[p.pdf]] and [[p.pdf#page=2]] and [range](papers/p.pdf#page=2-3)';
    const result = await reader.collect(note('index.md', text), { signal });
    const [whole, page2, range] = result.sources;
    assert.equal(whole?.status, 'ok');
    assert.match(whole?.text ?? '', /\[page 1\][\s\S]*page number 1[\s\S]*\[page 3\][\s\S]*page number 3/);
    assert.equal(page2?.id, 'papers/p.pdf#page=2');
    assert.match(page2?.text ?? '', /^\[page 2\]\n\nThis is the text of page number 2/);
    assert.doesNotMatch(page2?.text ?? '', /page number [13]/);
    assert.match(range?.text ?? '', /page number 2[\s\S]*page number 3/);
    assert.ok(whole?.contentHash && whole.contentHash.length === 64);
    assert.equal(pdfCalls(), 1, 'one extraction for three links to the same bytes');
    const again = await reader.collect(note('index.md', '[[p.pdf]]'), { signal });
    assert.equal(again.sources[0]?.text, whole?.text);
    assert.equal(pdfCalls(), 1, 'cached');
  });

  test('a heading anchor on a PDF selects the detected section', async () => {
    const fs = new InMemoryFiles({ 'sec.pdf': await sectionsPdf(), 'index.md': '' });
    const { reader } = createReader(fs);
    const result = await reader.collect(note('index.md', '[[sec.pdf#Methods]] [[sec.pdf#Nothing]]'), { signal });
    assert.equal(result.sources[0]?.status, 'ok');
    assert.match(result.sources[0]?.text ?? '', /We sequenced 48 samples/);
    assert.doesNotMatch(result.sources[0]?.text ?? '', /72%/);
    assert.equal(result.sources[1]?.status, 'missing');
  });

  test('unreadable PDFs are reported naming the file, and the other sources are still read', async () => {
    const fs = new InMemoryFiles({ 'bad.pdf': '%PDF-1.4 nonsense', 'good.pdf': await twoColumnPdf(), 'index.md': '' });
    const { reader } = createReader(fs);
    const result = await reader.collect(note('index.md', '[[bad.pdf]] [[good.pdf]]'), { signal });
    assert.equal(result.sources[0]?.status, 'unreadable');
    assert.match(result.sources[0]?.statusDetail ?? '', /bad\.pdf/);
    assert.equal(result.sources[1]?.status, 'ok');
  });

  test('size limits give tooLarge with a clear message', async () => {
    const fs = new InMemoryFiles({ 'big.txt': 'x'.repeat(2000), 'index.md': '' });
    const { reader } = createReader(fs, { limits: { maxTextBytes: 1000 } });
    const result = await reader.collect(note('index.md', '[[big.txt]]'), { signal });
    assert.equal(result.sources[0]?.status, 'tooLarge');
    assert.match(result.sources[0]?.statusDetail ?? '', /big\.txt: 2 KB is over the 1 KB limit/);
  });

  test('untrusted workspace: linked files are not read, and the result says why', async () => {
    const fs = new InMemoryFiles({ 'Other.md': OTHER, 'index.md': '' });
    const { reader } = createReader(fs, { trusted: false });
    const before = fs.reads;
    const result = await reader.collect(note('index.md', 'Text [[Other]]'), { signal });
    assert.equal(result.untrusted, true);
    assert.equal(result.sources[0]?.status, 'untrusted');
    assert.match(result.sources[0]?.statusDetail ?? '', /not trusted/);
    assert.equal(fs.reads, before);
    assert.equal(result.note.status, 'ok');
  });

  test('selection, links in range, link kinds and readLinkedNotes', async () => {
    const fs = new InMemoryFiles({ 'Other.md': OTHER, 'p.pdf': await pagesPdf(1), 'index.md': '' });
    const { reader } = createReader(fs);
    const text = 'First [[Other]].\nSecond [[p.pdf]].';
    const doc = note('index.md', text);
    const sel = await reader.collect(doc, { selection: { start: 0, end: 16 }, links: { start: 0, end: 16 }, signal });
    assert.equal(sel.note.kind, 'selection');
    assert.equal(sel.note.text, 'First [[Other]].');
    assert.deepEqual(
      sel.sources.map((s) => s.id),
      ['Other.md'],
    );
    const cursor = text.indexOf('p.pdf');
    const atCursor = await reader.collect(doc, { links: { start: cursor, end: cursor }, signal });
    assert.deepEqual(
      atCursor.sources.map((s) => s.id),
      ['p.pdf'],
    );
    const pdfOnly = await reader.collect(doc, { kinds: ['pdf'], signal });
    assert.deepEqual(
      pdfOnly.sources.map((s) => s.id),
      ['p.pdf'],
    );
    const none = await reader.collect(doc, { links: 'none', signal });
    assert.deepEqual(none.sources, []);
    assert.equal(none.links.length, 2);
    const noNotes = await createReader(fs, { config: { readLinkedNotes: false } }).reader.collect(doc, { signal });
    assert.deepEqual(
      noNotes.sources.map((s) => s.id),
      ['p.pdf'],
    );
    assert.equal(noNotes.totalTokens, noNotes.note.tokenEstimate + (noNotes.sources[0]?.tokenEstimate ?? 0));
  });

  test('cancellation stops reading', async () => {
    const fs = new InMemoryFiles({ 'Other.md': OTHER, 'index.md': '' });
    const { reader } = createReader(fs);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      reader.collect(note('index.md', '[[Other]]'), { signal: controller.signal }),
      (e: unknown) => (e as { code?: string }).code === 'Cancelled',
    );
  });
});
