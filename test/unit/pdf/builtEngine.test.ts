/**
 * The PDF engine as the packaged extension runs it: the built dist/pdfEngine.js, required at run time beside the
 * code that reads sources (src/vscode/adapters/pdfEngine.ts does the same with dist/features.js). Each bundle carries
 * its own copy of the AssistantError class, so these tests prove errors cross the bundle boundary by name and code.
 * `npm test` builds before the unit phase; run alone, this file builds dist/ first when the engine bundle is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { AssistantError, hasErrorCode } from '../../../src/core/errors';
import type { EngineModule } from '../../../src/pdf';
import { corruptPdfs, imageOnlyPdf, metadataPdf, pagesPdf } from '../../fixtures/pdf-gen/generate';
import { paperMetadataOf } from '../../../src/core/batch/metadataExtract';
import { InMemoryFiles, createReader, note, signal } from '../sources/inMemoryWorkspace';
import { bibtexParser } from '../../../src/pdf/bibtex';
import { zoteroBib } from '../../../bench/node/bibGen';

const ROOT = join(__dirname, '..', '..', '..');
const ENGINE = join(ROOT, 'dist', 'pdfEngine.js');

function loadBuiltEngine(): EngineModule {
  if (!existsSync(ENGINE)) {
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(build.status, 0, 'node esbuild.mjs failed');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(ENGINE) as { engine: EngineModule }).engine;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected the extraction to fail'),
    (error: unknown) => error,
  );
}

suite('PDF engine bundle (dist/pdfEngine.js, loaded as the extension loads it)', () => {
  const engine = loadBuiltEngine();

  // First in the file: the pool's workers are not started yet, so this warm-up starts them (a later call finds them
  // live and does nothing).
  test('a warm-up on several papers, a broken one among them, leaves the pool ready to extract', async () => {
    const papers = [await pagesPdf(4), corruptPdfs().garbage, await metadataPdf()];
    assert.ok(engine.pdf.prewarm, 'the bundle offers a warm-up');
    await engine.pdf.prewarm(papers);
    const after = await engine.pdf.extract(await pagesPdf(3), { name: 'next.pdf' });
    assert.equal(after.pageCount, 3);
    // Again while the workers are live, with a broken sample or none: nothing to do, and nothing fails.
    await engine.pdf.prewarm([corruptPdfs().truncated]);
    await engine.pdf.prewarm([]);
    assert.equal((await engine.pdf.extract(await pagesPdf(2), { name: 'again.pdf' })).pageCount, 2);
  });

  test('an image-only PDF fails with the "no text layer" code, though the error class is the bundle’s own', async () => {
    const error = await rejection(engine.pdf.extract(await imageOnlyPdf(), { name: 'scan.pdf' }));
    // The premise: were the classes the same, this file would not test the boundary at all.
    assert.notEqual((error as { constructor?: unknown }).constructor, AssistantError, 'the bundle has its own AssistantError');
    assert.ok(hasErrorCode(error, 'SourceUnreadable'), `not a SourceUnreadable AssistantError: ${String(error)}`);
    assert.equal(error.data['reason'], 'imageOnly');
    assert.match(error.message, /^scan\.pdf: .*no text layer/);
  });

  test('a corrupt PDF fails with the "corrupt" reason', async () => {
    const error = await rejection(engine.pdf.extract(corruptPdfs().garbage, { name: 'bad.pdf' }));
    assert.ok(hasErrorCode(error, 'SourceUnreadable'), `not a SourceUnreadable AssistantError: ${String(error)}`);
    assert.equal(error.data['reason'], 'corrupt');
    assert.match(error.message, /^bad\.pdf: not a readable PDF/);
  });

  test('the source reader reports an image-only PDF as "no text" and a corrupt one as "unreadable"', async () => {
    const fs = new InMemoryFiles({
      'scan.pdf': await imageOnlyPdf(),
      'bad.pdf': corruptPdfs().truncated,
      'good.pdf': await pagesPdf(1),
      'index.md': '',
    });
    const { reader } = createReader(fs, { pdf: engine.pdf });
    const result = await reader.collect(note('index.md', '[[scan.pdf]] [[bad.pdf]] [[good.pdf]]'), { signal });
    assert.deepEqual(
      result.sources.map((s) => [s.id, s.status]),
      [
        ['scan.pdf', 'noText'],
        ['bad.pdf', 'unreadable'],
        ['good.pdf', 'ok'],
      ],
    );
    assert.match(result.sources[0]?.statusDetail ?? '', /scan\.pdf: .*no text layer/);
    assert.match(result.sources[1]?.statusDetail ?? '', /bad\.pdf: not a readable PDF/);
    assert.match(result.sources[2]?.text ?? '', /page number 1/);
  });
});

suite('document metadata through the engine bundle (pdf.js patched to read text only)', () => {
  const engine = loadBuiltEngine();

  test('the info dictionary, the XMP packet and page 1’s lines with their sizes are handed over', async () => {
    const extraction = await engine.pdf.extract(await metadataPdf(), { name: 'meta.pdf' });
    const meta = extraction.metadata;
    assert.deepEqual(meta?.info, {
      title: 'Heat stress and the metabolome of wheat in the field',
      author: 'Ada Lovelace; Charles Babbage; Mary Somerville',
      subject: 'Plant physiology',
      creationDate: 'D:20181130120000Z',
    });
    assert.deepEqual(meta?.xmpFields?.['dc:creator'], ['Ada Lovelace', 'Charles Babbage', 'Mary Somerville']);
    assert.match(meta?.xmp ?? '', /<prism:doi>10\.1234\/xmp\.doi<\/prism:doi>/);
    const title = meta?.firstPage?.lines.find((l) => l.text === 'Heat stress and the metabolome');
    assert.equal(title?.size, 20);
    assert.equal(meta?.firstPage?.lines.find((l) => l.text.startsWith('Ada Lovelace'))?.size, 11);
    assert.deepEqual(paperMetadataOf(extraction).doi, '10.1234/xmp.doi');
  });

  test('a corpus paper’s XMP and info title come through the bundle (skipped without ../shared/corpus)', async (t) => {
    const file = join(ROOT, '..', 'shared', 'corpus', 'pdf', 'omics_plosone_2018_wheat-heat-stress-metabolomics.pdf');
    if (!existsSync(file)) {
      console.log(`skipped: corpus PDF not found at ${file}`);
      t.skip('corpus PDF not found');
      return;
    }
    const extraction = await engine.pdf.extract(new Uint8Array(readFileSync(file)), { name: 'plos.pdf' });
    const title = 'Comparative physiological and metabolomics analysis of wheat (Triticum aestivum L.) following post-anthesis heat stress';
    assert.equal(extraction.metadata?.info?.title, title);
    assert.equal(extraction.metadata?.xmpFields?.['dc:title'], title);
    assert.equal(paperMetadataOf(extraction).doi, '10.1371/journal.pone.0197919');
  });
});

suite('BibTeX parse in the engine bundle', () => {
  const engine = loadBuiltEngine();

  test('runs off the main thread: the event loop keeps turning while a bibliography is parsed', async () => {
    // Enough entries that a parse on this thread would hold it far longer than starting a worker does.
    const text = zoteroBib(300);
    await bibtexParser.parse(zoteroBib(5));
    const inThread = performance.now();
    const expected = await bibtexParser.parse(text);
    const inThreadMs = performance.now() - inThread;
    let last = performance.now();
    let longestGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    try {
      const entries = await engine.bibtex.parse(text);
      // The stretch since the last tick counts too (a parse on this thread leaves no tick at all).
      longestGap = Math.max(longestGap, performance.now() - last);
      assert.deepEqual(entries, expected);
    } finally {
      clearInterval(timer);
    }
    assert.equal(expected.length, 300);
    // On the main thread the loop would stand still for the whole parse.
    assert.ok(
      longestGap < inThreadMs / 2,
      `the main thread stood still for ${longestGap.toFixed(0)} ms (parse ${inThreadMs.toFixed(0)} ms)`,
    );
  });
});
