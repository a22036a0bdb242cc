/**
 * A per-paper note's front matter comes from what the PDF states about itself: the engine's metadata (info
 * dictionary, XMP, page 1 by type size) travels with the Source that readSource returns, and the batch runner's
 * metadata takes it from there.
 */
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { fallbackMetadata } from '../../../src/core/batch/runner';
import { ExtractionCache, InMemoryKeyValueStore } from '../../../src/core/cache/extractionCache';
import { SourceFileReader } from '../../../src/core/sources/readers';
import { extractPdfText } from '../../../src/pdf/engine';
import { metadataPdf, sectionsPdf } from '../../fixtures/pdf-gen/generate';
import { uriKey } from '../../../src/core/sources/uri';
import { InMemoryFiles, createReader, note, signal } from '../sources/inMemoryWorkspace';

suite('batch: paper metadata from the read Source', () => {
  test('the XMP title, authors and DOI of the PDF reach the note, through the extraction cache too', async () => {
    const fs = new InMemoryFiles({ 'papers/wheat.pdf': await metadataPdf(), 'papers/plain.pdf': await sectionsPdf() });
    const cache = new ExtractionCache(new InMemoryKeyValueStore());
    const reader = (): SourceFileReader =>
      new SourceFileReader({ files: fs, workspace: fs, pdf: () => Promise.resolve({ extract: extractPdfText }), cache });
    for (const round of ['extracted', 'from the cache']) {
      const source = await reader().readSource(fs.uri('papers/wheat.pdf'), signal);
      assert.ok(source.pdfMetadata, `${round}: the source carries the PDF's metadata`);
      const meta = fallbackMetadata(source.uri, source);
      assert.equal(meta.title, 'Heat stress and the metabolome of wheat in the field', round);
      assert.deepEqual(meta.authors, ['Ada Lovelace', 'Charles Babbage', 'Mary Somerville'], round);
      assert.equal(meta.doi, '10.1234/xmp.doi', round);
    }
    const plain = await reader().readSource(fs.uri('papers/plain.pdf'), signal);
    assert.equal(fallbackMetadata(plain.uri, plain).doi, undefined, 'nothing stated, nothing invented');
  });

  test('the bibliography entry attaching the PDF comes first: its title, year and citekey', async () => {
    const bib =
      '@article{lovelace2019heat, title = {Heat Stress in Wheat: A Field Study}, author = {Lovelace, Ada}, year = {2019}, file = {papers/wheat.pdf}}\n';
    const fs = new InMemoryFiles({ 'refs.bib': bib, 'papers/wheat.pdf': await metadataPdf(), 'Literature/batch.md': '' });
    const { reader } = createReader(fs, { config: { bibliography: 'refs.bib' } });
    const entries = await reader.bibliographyEntries(note('Literature/batch.md', ''), signal);
    const uri = fs.uri('papers/wheat.pdf');
    const entry = entries.get(uriKey(uri));
    assert.equal(entry?.key, 'lovelace2019heat');
    const source = await reader.readSource(uri, signal);
    const meta = fallbackMetadata(uri, source, entry);
    assert.equal(meta.title, 'Heat Stress in Wheat: A Field Study');
    assert.equal(meta.year, 2019);
    assert.equal(meta.citekey, 'lovelace2019heat');
    assert.equal(meta.origin.title, 'bibliography');
    assert.equal(meta.doi, '10.1234/xmp.doi', 'a field the entry leaves out comes from the PDF');
  });
});
