/**
 * Library indexer rows: recall@5 of the labelled questions over the corpus (English, Chinese); a text-only build
 * of many PDFs (corpus copies and generated papers, every file's bytes distinct so nothing comes from the
 * extraction cache) against the summed time of poppler's pdftotext on the same files ÷ 2 (two cores); and
 * re-opening a workspace of already indexed, unchanged notes in a new session.
 * usage: libraryIndex <json-args> with { corpus, queries, engine, work, files, reopen }; prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAssistant, DEFAULT_CONFIG, resolveConfig } from '../../src/core';
import { createNodePorts } from '../../src/node';
import { headerFooterPdf, twoColumnPdf } from '../../test/fixtures/pdf-gen/generate';
import { measureRecall } from '../../test/unit/library/recall';

interface Args {
  readonly corpus: string;
  readonly queries: string;
  readonly engine: string;
  readonly work: string;
  /** PDFs in the build row. */
  readonly files: number;
  /** Notes in the re-open row. */
  readonly reopen: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const signal = new AbortController().signal;

/** The same PDF with a distinct trailing comment: another content hash, the same text (readers ignore it). */
function distinct(bytes: Uint8Array, i: number): Uint8Array {
  const tail = new TextEncoder().encode(`\n% library bench copy ${i}\n`);
  const out = new Uint8Array(bytes.length + tail.length);
  out.set(bytes);
  out.set(tail, bytes.length);
  return out;
}

async function makePdfs(dir: string, count: number): Promise<{ corpusCopies: number }> {
  mkdirSync(dir, { recursive: true });
  const corpus = existsSync(args.corpus)
    ? readdirSync(args.corpus)
        .filter((f) => f.endsWith('.pdf'))
        .map((f) => readFileSync(join(args.corpus, f)))
    : [];
  const generated = [await twoColumnPdf(), await headerFooterPdf(8), await headerFooterPdf(12), await headerFooterPdf(20)];
  // About one in ten a real paper (the 122-page review included), the rest short generated ones.
  let corpusCopies = 0;
  for (let i = 0; i < count; i++) {
    const real = corpus.length > 0 && i % 10 === 0;
    const source = real ? (corpus[(i / 10) % corpus.length] as Uint8Array) : (generated[i % generated.length] as Uint8Array);
    if (real) corpusCopies++;
    writeFileSync(join(dir, `paper-${String(i).padStart(4, '0')}.pdf`), distinct(source, i));
  }
  return { corpusCopies };
}

function pdftotextMs(dir: string): number | undefined {
  let total = 0;
  for (const f of readdirSync(dir)) {
    const started = performance.now();
    const r = spawnSync('pdftotext', ['-q', join(dir, f), '-'], { maxBuffer: 256 * 1024 * 1024 });
    if (r.error) return undefined;
    total += performance.now() - started;
  }
  return total;
}

function session(folder: string, cacheDir: string) {
  const ports = createNodePorts({ folders: folder, cacheDir, engineFile: args.engine });
  return createAssistant({ ports, settings: () => resolveConfig(DEFAULT_CONFIG) });
}

async function buildRow(): Promise<Record<string, unknown>> {
  const dir = join(args.work, 'pdfs');
  const { corpusCopies } = await makePdfs(dir, args.files);
  const popplerMs = pdftotextMs(dir);
  const assistant = session(dir, join(args.work, 'cache-build'));
  const started = performance.now();
  const status = await assistant.library.update({ signal });
  const buildMs = performance.now() - started;
  assistant.dispose();
  return { files: args.files, corpusCopies, buildMs, popplerMs, indexed: status.indexed, failed: status.failed, chunks: status.chunks };
}

async function reopenRow(): Promise<Record<string, unknown>> {
  const dir = join(args.work, 'notes');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < args.reopen; i++) {
    const text = `# Note ${i}\n\n${`Observation ${i} on sample ${i % 97} with result ${(i * 31) % 1000}. `.repeat(20)}\n`;
    writeFileSync(join(dir, `note-${String(i).padStart(4, '0')}.md`), text);
  }
  const cacheDir = join(args.work, 'cache-reopen');
  const first = session(dir, cacheDir);
  const built = await first.library.update({ signal });
  first.dispose();
  // A new session: the saved index opened from disk, every file checked against its record.
  const second = session(dir, cacheDir);
  const started = performance.now();
  const again = await second.library.update({ signal });
  const reopenMs = performance.now() - started;
  second.dispose();
  return { files: args.reopen, indexed: built.indexed, reopenMs, upToDate: again.indexed };
}

async function main(): Promise<void> {
  rmSync(args.work, { recursive: true, force: true });
  mkdirSync(args.work, { recursive: true });
  const out: Record<string, unknown> = {};
  try {
    if (existsSync(args.corpus)) {
      const r = await measureRecall({ corpus: args.corpus, queries: args.queries, engineFile: args.engine });
      out['recall'] = { recall: r.recall, counts: r.counts, misses: r.misses };
    } else out['recallError'] = `${args.corpus} is absent`;
  } catch (error) {
    out['recallError'] = String(error);
  }
  try {
    out['build'] = await buildRow();
  } catch (error) {
    out['buildError'] = String(error);
  }
  try {
    out['reopen'] = await reopenRow();
  } catch (error) {
    out['reopenError'] = String(error);
  }
  rmSync(args.work, { recursive: true, force: true });
  console.log(JSON.stringify(out));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
