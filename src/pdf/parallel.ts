/**
 * Page-parallel extraction on worker threads: pdf.js is single-threaded and its text extraction is the
 * cost (about 6× pdftotext on long documents, PDF-FACTS.md), so long PDFs are split into page ranges, each
 * read by its own worker holding its own pdf.js document. It also keeps the work off the extension host's
 * main thread. The worker runs this same file (the dist/pdfEngine.js bundle, or the .ts source under tsx).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { AssistantError } from '../core/errors';
import type { PdfPageItems } from '../core/pdf/types';
import type { PdfExtraction } from '../core/pdf/types';
import { extractPdfText, readPdfItems } from './engine';

/** Pages to read (`pages`), or a whole small PDF to extract off the caller's thread (`extract`). */
interface Job {
  readonly kind: 'researchAssistant.pdfPages' | 'researchAssistant.pdfExtract';
  readonly bytes: Uint8Array;
  readonly firstPage: number;
  readonly lastPage: number;
  readonly name: string;
}

type Reply<T> = { ok: true; value: T } | { ok: false; message: string; code?: string; data?: Record<string, unknown> };

const job = isMainThread ? undefined : (workerData as Job | undefined);
if (job?.kind === 'researchAssistant.pdfPages' || job?.kind === 'researchAssistant.pdfExtract') {
  const work: () => Promise<unknown> = job.kind === 'researchAssistant.pdfPages'
    ? async () => (await readPdfItems(job.bytes, { firstPage: job.firstPage, lastPage: job.lastPage, name: job.name })).pages
    : () => extractPdfText(job.bytes, { name: job.name, maxPages: job.lastPage });
  // After the whole module graph (the bundle, or engine.ts under tsx) has finished evaluating.
  setImmediate(() => void work().then(
    (value) => parentPort?.postMessage({ ok: true, value } satisfies Reply<unknown>),
    (error: unknown) =>
      parentPort?.postMessage({
        ok: false,
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof AssistantError ? { code: error.code, data: { ...error.data } } : {}),
      } satisfies Reply<unknown>),
  ));
}

/** Worker count for a document: at most the cores, and at least ~8 pages per worker to pay for its start-up. */
export function workersFor(pageCount: number, requested?: number): number {
  const cores = Math.max(1, availableParallelism());
  const max = Math.max(1, Math.min(requested ?? cores, cores, 4));
  return Math.max(1, Math.min(max, Math.floor(pageCount / 8)));
}

function runWorker<T>(job: Job, signal: AbortSignal | undefined): Promise<T> {
  // Under tsx (bench, tests) this file is TypeScript: the worker registers tsx's CommonJS loader first.
  const worker = __filename.endsWith('.ts')
    ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(__filename)});`, { eval: true, workerData: job })
    : new Worker(__filename, { workerData: job });
  return new Promise((resolve, reject) => {
    const abort = (): void => {
      void worker.terminate();
      reject(new AssistantError('Cancelled', 'Cancelled'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.once('message', (reply: Reply<T>) => {
      signal?.removeEventListener('abort', abort);
      void worker.terminate();
      if (reply.ok) resolve(reply.value);
      else reject(reply.code ? new AssistantError(reply.code as AssistantError['code'], reply.message, { data: reply.data as Record<string, string> }) : new Error(reply.message));
    });
    worker.once('error', (error) => {
      signal?.removeEventListener('abort', abort);
      reject(error);
    });
  });
}

/** Reads pages 1..lastPage on `workers` threads in contiguous ranges; results in page order. */
export async function readPagesParallel(bytes: Uint8Array, lastPage: number, workers: number, name: string, signal?: AbortSignal): Promise<PdfPageItems[]> {
  const per = Math.ceil(lastPage / workers);
  const jobs: Job[] = [];
  for (let first = 1; first <= lastPage; first += per) {
    jobs.push({ kind: 'researchAssistant.pdfPages', bytes, firstPage: first, lastPage: Math.min(lastPage, first + per - 1), name });
  }
  const results = await Promise.all(jobs.map((j) => runWorker<PdfPageItems[]>(j, signal)));
  return results.flat();
}

/** The whole extraction of a PDF on one worker thread (layout included), leaving the caller's thread free. */
export function extractOnWorker(bytes: Uint8Array, maxPages: number, name: string, signal?: AbortSignal): Promise<PdfExtraction> {
  return runWorker<PdfExtraction>({ kind: 'researchAssistant.pdfExtract', bytes, firstPage: 1, lastPage: maxPages, name }, signal);
}
