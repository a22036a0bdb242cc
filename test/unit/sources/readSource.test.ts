import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { ExtractionCache, InMemoryKeyValueStore } from '../../../src/core/cache/extractionCache';
import { SourceFileReader } from '../../../src/core/sources/readers';
import type { BibEntry, BibtexParser } from '../../../src/core/sources/bibliography';
import { bibtexParser } from '../../../src/pdf/bibtex';
import { extractPdfText } from '../../../src/pdf/engine';
import { sectionsPdf } from '../../fixtures/pdf-gen/generate';
import { InMemoryFiles, ROOT, createReader, note, signal } from './inMemoryWorkspace';

suite('reading a file with no note (readSource)', () => {
  test('markdown, text and PDF files by kind; anchors; problems name the file', async () => {
    const fs = new InMemoryFiles({
      'notes/topic.md': '---\ntitle: Topic\n---\n# Topic\n\nIntro.\n\n## Methods\n\nWe measured.\n',
      'notes/plain.txt': 'Just text.',
      'notes/page.html': '<p>Hello &amp; welcome</p><script>x()</script>',
      'papers/p.pdf': await sectionsPdf(),
      'papers/empty.md': '',
      'image.png': 'x',
    });
    let extractions = 0;
    const cache = new ExtractionCache(new InMemoryKeyValueStore());
    const reader = new SourceFileReader({
      files: fs,
      workspace: fs,
      pdf: () => Promise.resolve({ extract: (b, o) => (extractions++, extractPdfText(b, o)) }),
      cache,
      limits: { maxTextBytes: 1000 },
    });
    const md = await reader.readSource(fs.uri('notes/topic.md'), signal);
    assert.equal(md.status, 'ok');
    assert.equal(md.id, 'notes/topic.md');
    assert.equal(md.title, 'Topic');
    assert.equal(md.link, undefined, 'no note, no link');
    const methods = await reader.readSource(fs.uri('notes/topic.md'), signal, { anchor: { kind: 'heading', heading: 'Methods' } });
    assert.equal(methods.id, 'notes/topic.md#Methods');
    assert.ok(methods.text.includes('We measured.') && !methods.text.includes('Intro.'));

    assert.equal((await reader.readSource(fs.uri('notes/plain.txt'), signal)).text, 'Just text.');
    assert.equal((await reader.readSource(fs.uri('notes/page.html'), signal)).text, 'Hello & welcome');
    const asText = await reader.readSource(fs.uri('notes/topic.md'), signal, { kind: 'text' });
    assert.ok(asText.text.startsWith('---\ntitle: Topic'), 'an explicit kind wins over the extension');

    const pdf = await reader.readSource(fs.uri('papers/p.pdf'), signal);
    assert.equal(pdf.status, 'ok');
    assert.equal(pdf.kind, 'pdf');
    assert.ok(pdf.contentHash && pdf.text.length > 100);
    const pages = await reader.readSource(fs.uri('papers/p.pdf'), signal, { anchor: { kind: 'page', from: 1, to: 1 } });
    assert.equal(pages.id, 'papers/p.pdf#page=1');
    assert.equal(extractions, 1, 'read again from the extraction cache');

    const problems = await Promise.all(
      ['papers/none.pdf', 'image.png', 'papers/empty.md'].map((p) => reader.readSource(fs.uri(p), signal)),
    );
    assert.deepEqual(
      problems.map((s) => [s.status, s.statusDetail]),
      [
        ['missing', 'papers/none.pdf: file not found'],
        ['unsupported', 'image.png: unsupported file type (.png)'],
        ['noText', 'papers/empty.md: no text'],
      ],
    );
    fs.add('notes/big.txt', 'x'.repeat(2000));
    assert.equal((await reader.readSource(fs.uri('notes/big.txt'), signal)).status, 'tooLarge');
    const outside = await reader.readSource('file:///elsewhere/x.txt', signal);
    assert.equal(outside.statusDetail, '/elsewhere/x.txt: file not found', 'outside the workspace: named by its path');
  });

  test('the source reader reads a file through its own cache and queue', async () => {
    const fs = new InMemoryFiles({ 'papers/p.pdf': await sectionsPdf() });
    const { reader, pdfCalls } = createReader(fs);
    const direct = await reader.readSource(fs.uri('papers/p.pdf'), signal);
    const linked = await reader.collect(note('n.md', '[[p.pdf]]'), { signal });
    assert.equal(linked.sources[0]?.text, direct.text);
    assert.equal(pdfCalls(), 1);
  });

  test('a parsed bibliography is kept in the store: a new session does not parse it again', async () => {
    const bib = '@article{smith2020, title = {A Study}, file = {papers/s.pdf}}\n';
    const fs = new InMemoryFiles({ 'refs.bib': bib, 'papers/s.pdf': await sectionsPdf() });
    let parses = 0;
    const counting: BibtexParser = { parse: (text): Promise<readonly BibEntry[]> => (parses++, bibtexParser.parse(text)) };
    const store = new InMemoryKeyValueStore();
    const text = '---\nbibliography: refs.bib\n---\nSee [@smith2020].';
    for (let session = 0; session < 2; session++) {
      const { reader } = createReader(fs, { bibtex: counting, store });
      const collected = await reader.collect(note('n.md', text), { signal });
      assert.equal(collected.sources[0]?.title, 'A Study');
      assert.equal(collected.sources[0]?.uri, `${ROOT}/papers/s.pdf`);
    }
    assert.equal(parses, 1);
    // A damaged stored entry is parsed again, never a failure.
    for (const key of store.map.keys()) if (key.startsWith('bib-')) store.map.set(key, '{not json');
    const { reader } = createReader(fs, { bibtex: counting, store });
    assert.equal((await reader.collect(note('n.md', text), { signal })).sources[0]?.title, 'A Study');
    assert.equal(parses, 2);
  });
});
