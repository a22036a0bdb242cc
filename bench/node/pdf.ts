/**
 * PDF rows, one child process per PDF (scripts/bench.mjs spawns it):
 *   time <pdf> <runs> <engine.js> <cacheDir>  the first (cold) extraction of the process; then warm extractions
 *                                             vs `pdftotext` (alternating, same run), the cached
 *                                             re-extraction of a new session (read + content hash (SHA-512) + cache
 *                                             look-up), and the same paper again in one session (memory)
 *   warmed <pdf> <engine.js> <a.pdf,b.pdf>     the first extraction after the engine's background warm-up on those papers
 *   rss <pdf> <engine.js>                     peak RSS of one extraction in a fresh process
 * Prints one JSON line. The engine is the shipped bundle dist/pdfEngine.js, loaded the way the extension does.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ExtractionCache, contentHash } from '../../src/core/cache/extractionCache';
import { DEFAULT_CONFIG, DefaultSourceReader, resolveConfig, type NoteDocument, type PdfExtraction } from '../../src/core';
import { NodeFileStore, NodeWorkspace, fileUri, loadEngineModule, nodeContentHash } from '../../src/node';

const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;

async function time(pdf: string, runs: number, engineFile: string, cacheDir: string): Promise<void> {
  const engine = loadEngineModule(engineFile);
  const name = basename(pdf);
  const ours: number[] = [];
  const poppler: number[] = [];
  let pages = 0;
  let chars = 0;
  let last: PdfExtraction | undefined;
  let popplerChars = 0;
  // The first extraction in a process is cold: it starts the engine's worker pool (each worker evaluates
  // the engine bundle, pdf.js included). The extension host pays it once per session; it is reported as a
  // row of its own, and the repeats below measure the warm extractions that follow.
  const c0 = performance.now();
  await engine.pdf.extract(new Uint8Array(readFileSync(pdf)), { name });
  const cold = performance.now() - c0;
  for (let i = 0; i < runs; i++) {
    // Alternate the order so neither tool always runs on a warmer page cache.
    const order = i % 2 === 0 ? ['ours', 'poppler'] : ['poppler', 'ours'];
    for (const which of order) {
      const t0 = performance.now();
      if (which === 'ours') {
        const result = await engine.pdf.extract(new Uint8Array(readFileSync(pdf)), { name });
        ours.push(performance.now() - t0);
        last = result;
        pages = result.pageCount;
        chars = result.characters;
      } else {
        // The whole pdftotext process, as a user would run it; its output is kept in memory, not written.
        const r = spawnSync('pdftotext', ['-q', pdf, '-'], { maxBuffer: 256 * 1024 * 1024 });
        poppler.push(performance.now() - t0);
        if (r.status !== 0) throw new Error(`pdftotext failed on ${name}: ${String(r.stderr)}`);
        popplerChars = r.stdout.length;
      }
    }
  }
  // Cached re-extraction: what a new session pays on a warm persisted cache (sourceReader.readPdf): read the
  // bytes, hash them (node:crypto, as the hosts do), read and decode the stored extraction. A new ExtractionCache per
  // run, so the session's in-memory layer never answers.
  const first = last ?? (await engine.pdf.extract(new Uint8Array(readFileSync(pdf)), { name }));
  await new ExtractionCache(new NodeFileStore(cacheDir)).set(await contentHash(new Uint8Array(readFileSync(pdf))), first);
  const cached: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cache = new ExtractionCache(new NodeFileStore(cacheDir));
    const t0 = performance.now();
    const bytes = await readFile(pdf);
    const hit = await cache.get(await nodeContentHash(bytes));
    cached.push(performance.now() - t0);
    if (!hit || hit.characters !== first.characters) throw new Error(`cache miss on ${name}`);
  }
  // The same paper again within a session, through the reader (a note linking it): stat, and the session's
  // memory answers by (uri, size, mtime); the first collect (timed in `cached` above) fills it.
  const files = new NodeWorkspace(dirname(pdf));
  const reader = new DefaultSourceReader({
    files,
    workspace: files,
    pdf: () => Promise.resolve(engine.pdf),
    bibtex: () => Promise.resolve(engine.bibtex),
    config: () => resolveConfig({ ...DEFAULT_CONFIG }),
    isTrusted: () => true,
    cache: new ExtractionCache(new NodeFileStore(cacheDir), undefined, { hash: nodeContentHash }),
  });
  const doc: NoteDocument = {
    uri: fileUri(join(dirname(pdf), 'bench-note.md')),
    version: 1,
    languageId: 'markdown',
    getText: () => `[paper](${fileUri(pdf)})`,
  };
  const collect = async (): Promise<void> => {
    const r = await reader.collect(doc, { signal: new AbortController().signal });
    if (r.sources[0]?.status !== 'ok' || r.sources[0].text !== first.text)
      throw new Error(`session read of ${name} failed: ${r.sources[0]?.statusDetail ?? 'no source'}`);
  };
  await collect();
  const session: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await collect();
    session.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ pdf: name, pages, chars, popplerChars, cold, ours, poppler, cached, session }));
}

async function rss(pdf: string, engineFile: string): Promise<void> {
  const engine = loadEngineModule(engineFile);
  const bytes = new Uint8Array(readFileSync(pdf));
  const before = maxRssMb();
  const result = await engine.pdf.extract(bytes, { name: basename(pdf) });
  console.log(JSON.stringify({ pdf: basename(pdf), pages: result.pageCount, baselineMb: before, peakMb: maxRssMb() }));
}

/**
 * The first extraction of a session as the extension runs it: opening a note whose linked PDFs are not extracted
 * yet starts the engine in the background (`prewarm`: worker threads started, each extracting the first pages of
 * some of those papers, `samplePdfs`, comma-separated), and the user's first command comes after that. Printed:
 * the warm-up time and the extraction that follows it.
 */
async function warmed(pdf: string, engineFile: string, samplePdfs: string): Promise<void> {
  const w0 = performance.now();
  const engine = loadEngineModule(engineFile);
  const bytes = new Uint8Array(readFileSync(pdf));
  await engine.pdf.prewarm?.(samplePdfs.split(',').map((file) => new Uint8Array(readFileSync(file))));
  const warmUp = performance.now() - w0;
  const t0 = performance.now();
  await engine.pdf.extract(bytes, { name: basename(pdf) });
  console.log(JSON.stringify({ pdf: basename(pdf), warmUp, first: performance.now() - t0 }));
}

const [mode, pdf, a, b, c] = process.argv.slice(2);
const main =
  mode === 'time'
    ? time(pdf ?? '', Number(a), b ?? '', c ?? '')
    : mode === 'warmed'
      ? warmed(pdf ?? '', a ?? '', b ?? pdf ?? '')
      : rss(pdf ?? '', a ?? '');
main.catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
