/**
 * PDF extraction on worker threads. pdf.js is single-threaded and its text extraction is the cost, so
 * long PDFs are split into page ranges, each read by its own worker holding its own pdf.js document; it
 * also keeps the work off the extension host's main thread. The workers form a warm pool kept across
 * extractions: starting a worker means evaluating the 2 MB engine bundle (pdf.js included), which cost
 * more than extracting a 15-page paper, and the extension host extracts many PDFs over a session. Idle
 * workers do not keep the process alive and end after IDLE_MS. A worker runs this same file (the
 * dist/pdfEngine.js bundle, or the .ts source under tsx).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { AssistantError, isAssistantError } from '../core/errors';
import type { PdfExtraction, PdfPageItems } from '../core/pdf/types';
import { layoutOrFail, openDocument, readDocumentMetadata, readPagesOf, readPdfItems, type OpenedPdf } from './document';

const POOL_KIND = 'researchAssistant.pdfPool';
/** An idle worker ends after this long (its pdf.js heap is released with it). */
const IDLE_MS = 120_000;

/**
 * The requests a pool worker serves. A split extraction opens the document once on the first worker
 * (`extract` answers `split` and keeps it open), which reads the first range (`keepPages`) while another
 * worker reads the rest (`pages`), and then lays out all pages (`finish`).
 */
type Request =
  | { readonly op: 'extract'; readonly bytes: Uint8Array; readonly maxPages: number; readonly name: string; readonly split: boolean }
  | { readonly op: 'pages'; readonly bytes: Uint8Array; readonly firstPage: number; readonly lastPage: number; readonly name: string }
  | { readonly op: 'keepPages'; readonly firstPage: number; readonly lastPage: number }
  | { readonly op: 'finish'; readonly extra: readonly PdfPageItems[] }
  | { readonly op: 'close' }
  | { readonly op: 'warm'; readonly samples: readonly Uint8Array[] };

type ExtractReply = { readonly extraction: PdfExtraction } | { readonly split: { readonly pageCount: number; readonly lastPage: number } };

type Reply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; code?: string; data?: Record<string, unknown> };

/** Worker count for a document: at most the cores, and at least ~8 pages per worker to pay for the split. */
export function workersFor(pageCount: number, requested?: number): number {
  const cores = Math.max(1, availableParallelism());
  const max = Math.max(1, Math.min(requested ?? cores, cores, 4));
  return Math.max(1, Math.min(max, Math.floor(pageCount / 8)));
}

// ---- worker side ------------------------------------------------------------------------------------------

if (!isMainThread && (workerData as { kind?: string } | undefined)?.kind === POOL_KIND) {
  let kept: (OpenedPdf & { name: string; pageCount: number; pages: PdfPageItems[] }) | undefined;
  const close = async (): Promise<void> => {
    const k = kept;
    kept = undefined;
    await k?.destroy();
  };
  const handle = async (req: Request): Promise<unknown> => {
    switch (req.op) {
      case 'extract': {
        await close();
        const opened = await openDocument(req.bytes, req.name);
        const pageCount = opened.doc.numPages;
        const lastPage = Math.min(pageCount, req.maxPages);
        if (req.split && workersFor(lastPage) > 1) {
          kept = { ...opened, name: req.name, pageCount, pages: [] };
          return { split: { pageCount, lastPage } } satisfies ExtractReply;
        }
        try {
          const pages = await readPagesOf(opened.doc, 1, lastPage);
          return { extraction: layoutOrFail(pages, pageCount, req.name, await readDocumentMetadata(opened.doc)) } satisfies ExtractReply;
        } finally {
          await opened.destroy();
        }
      }
      case 'pages':
        return (await readPdfItems(req.bytes, { firstPage: req.firstPage, lastPage: req.lastPage, name: req.name })).pages;
      case 'keepPages': {
        if (!kept) throw new Error('no open document');
        try {
          kept.pages.push(...(await readPagesOf(kept.doc, req.firstPage, req.lastPage)));
        } catch (error) {
          await close();
          throw error;
        }
        return undefined;
      }
      case 'finish': {
        if (!kept) throw new Error('no open document');
        const { pages, pageCount, name } = kept;
        const documentMeta = await readDocumentMetadata(kept.doc);
        await close();
        return layoutOrFail(
          [...pages, ...req.extra].sort((a, b) => a.page - b.page),
          pageCount,
          name,
          documentMeta,
        );
      }
      case 'close':
        await close();
        return undefined;
      case 'warm':
        // Extracting runs pdf.js's parser, font and text code and our layout once, so the first real paper does
        // not pay for their compilation. The first pages of papers the user linked compile the paths papers like
        // them take (compressed streams, their kinds of embedded fonts: Type 1, CFF, TrueType); the built-in page
        // is the fallback.
        if ((await warmOn(req.samples)) > 0) return undefined;
        await readPdfItems(WARM_UP_PDF, { name: 'warm-up.pdf' }).catch(() => undefined);
        return undefined;
    }
  };
  parentPort?.on('message', ({ id, req }: { id: number; req: Request }) => {
    void handle(req).then(
      (value) => parentPort?.postMessage({ id, ok: true, value } satisfies Reply),
      (error: unknown) =>
        parentPort?.postMessage({
          id,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
          ...(isAssistantError(error) ? { code: error.code, data: { ...error.data } } : {}),
        } satisfies Reply),
    );
  });
}

/**
 * Pages a warm-up extracts (and discards), shared among its sample papers: enough for V8 to optimise the hot paths
 * (two pages of one paper left the first paper after it 3.5–4.9× pdftotext; eight brought it to 2.1–3.3×), few
 * enough to stay under a second. Fifteen (five of each of three papers) were no faster than eight.
 */
const WARM_UP_PAGES = 8;
/** At least this many pages of each sample, so each one's fonts and streams are met (the first page may be a cover). */
const WARM_UP_PAGES_EACH = 3;

/**
 * Extracts the first pages of each sample, layout included, and discards them. Several papers compile more of the
 * paths a next paper may take than one does (each brings its own kinds of fonts). Returns how many samples were
 * PDFs the engine could read.
 */
async function warmOn(samples: readonly Uint8Array[]): Promise<number> {
  const each = Math.max(WARM_UP_PAGES_EACH, Math.ceil(WARM_UP_PAGES / Math.max(1, samples.length)));
  let read = 0;
  for (const sample of samples) {
    try {
      const opened = await openDocument(sample, 'warm-up sample');
      try {
        const pageCount = opened.doc.numPages;
        const pages = await readPagesOf(opened.doc, 1, Math.min(pageCount, each));
        layoutOrFail(pages, pageCount, 'warm-up sample', await readDocumentMetadata(opened.doc));
      } finally {
        await opened.destroy();
      }
      read += 1;
    } catch {
      // Not a PDF the engine reads: the next sample, or the built-in page, warms instead.
    }
  }
  return read;
}

// ---- main side: the pool ----------------------------------------------------------------------------------

interface PoolWorker {
  readonly worker: Worker;
  dead: boolean;
  /** Marks the worker ended (rejecting its pending request with `error`); the pool no longer hands it out. */
  end: (error: unknown) => void;
  idleTimer?: ReturnType<typeof setTimeout>;
  pending?: { id: number; resolve: (value: unknown) => void; reject: (error: unknown) => void };
}

const idle: PoolWorker[] = [];
const waiting: Array<(w: PoolWorker) => void> = [];
let live = 0;
let nextId = 1;

function poolSize(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

function spawn(): PoolWorker {
  // Under tsx (bench, tests) this file is TypeScript: the worker registers tsx's CommonJS loader first.
  const worker = __filename.endsWith('.ts')
    ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(__filename)});`, {
        eval: true,
        workerData: { kind: POOL_KIND },
      })
    : new Worker(__filename, { workerData: { kind: POOL_KIND } });
  const die = (error: unknown): void => {
    if (w.dead) return;
    w.dead = true;
    live--;
    clearTimeout(w.idleTimer);
    const at = idle.indexOf(w);
    if (at >= 0) idle.splice(at, 1);
    w.pending?.reject(error);
    w.pending = undefined;
  };
  const w: PoolWorker = { worker, dead: false, end: die };
  live++;
  worker.on('message', (reply: Reply) => {
    const p = w.pending;
    if (!p || p.id !== reply.id) return;
    w.pending = undefined;
    if (reply.ok) p.resolve(reply.value);
    else
      p.reject(
        reply.code
          ? new AssistantError(reply.code as AssistantError['code'], reply.message, { data: reply.data as Record<string, string> })
          : new Error(reply.message),
      );
  });
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`PDF worker exited (${code})`)));
  return w;
}

function take(w: PoolWorker): PoolWorker {
  clearTimeout(w.idleTimer);
  w.worker.ref();
  return w;
}

/** An idle or new worker now, or undefined when the pool is fully busy. */
function tryAcquire(): PoolWorker | undefined {
  const w = idle.pop();
  if (w) return take(w);
  return live < poolSize() ? take(spawn()) : undefined;
}

function acquire(): Promise<PoolWorker> {
  const w = tryAcquire();
  return w ? Promise.resolve(w) : new Promise((resolve) => waiting.push(resolve));
}

function release(w: PoolWorker): void {
  if (w.dead) return;
  const next = waiting.shift();
  if (next) return next(w);
  w.worker.unref();
  idle.push(w);
  w.idleTimer = setTimeout(() => void w.worker.terminate(), IDLE_MS);
  w.idleTimer.unref();
}

function call<T>(w: PoolWorker, req: Request, signal: AbortSignal | undefined): Promise<T> {
  if (w.dead) return Promise.reject(new Error('PDF worker has ended'));
  if (signal?.aborted) return Promise.reject(new AssistantError('Cancelled', 'Cancelled'));
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    // A cancelled job ends its worker (pdf.js cannot be interrupted); the pool starts a fresh one later.
    const abort = (): void => {
      w.end(new AssistantError('Cancelled', 'Cancelled'));
      void w.worker.terminate();
    };
    signal?.addEventListener('abort', abort, { once: true });
    const done = (): void => signal?.removeEventListener('abort', abort);
    w.pending = {
      id,
      resolve: (value) => {
        done();
        resolve(value as T);
      },
      reject: (error) => {
        done();
        reject(error);
      },
    };
    w.worker.postMessage({ id, req });
  });
}

/**
 * Starts the pool's workers ahead of the first extraction (a note linking PDFs that are not extracted yet was
 * opened): each evaluates the engine and extracts the first pages of `samples` (some of those papers) or else a
 * built-in page, so the first paper of a session costs about what later ones do. Resolves when the workers are
 * ready; idle workers end after IDLE_MS as usual.
 */
export async function prewarmPool(samples: readonly Uint8Array[] = []): Promise<void> {
  const started: Promise<void>[] = [];
  while (live < poolSize()) {
    const w = take(spawn());
    started.push(
      call<undefined>(w, { op: 'warm', samples }, undefined).then(
        () => release(w),
        () => release(w),
      ),
    );
  }
  await Promise.all(started);
}

/** Reads pages 1..lastPage on `workers` pool workers in contiguous ranges; results in page order. */
export async function readPagesParallel(
  bytes: Uint8Array,
  lastPage: number,
  workers: number,
  name: string,
  signal?: AbortSignal,
): Promise<PdfPageItems[]> {
  const per = Math.ceil(lastPage / workers);
  const ranges: Array<[number, number]> = [];
  for (let first = 1; first <= lastPage; first += per) ranges.push([first, Math.min(lastPage, first + per - 1)]);
  const results = await Promise.all(
    ranges.map(async ([firstPage, last]) => {
      const w = await acquire();
      try {
        return await call<PdfPageItems[]>(w, { op: 'pages', bytes, firstPage, lastPage: last, name }, signal);
      } finally {
        release(w);
      }
    }),
  );
  return results.flat();
}

/** The whole extraction of a PDF on the pool (layout included), split over two workers when long. */
export async function extractOnWorker(bytes: Uint8Array, maxPages: number, name: string, signal?: AbortSignal): Promise<PdfExtraction> {
  const a = await acquire();
  let helper: PoolWorker | undefined;
  let open = false;
  try {
    const first = await call<ExtractReply>(a, { op: 'extract', bytes, maxPages, name, split: poolSize() > 1 }, signal);
    if ('extraction' in first) return first.extraction;
    open = true;
    const { lastPage } = first.split;
    // Never wait for a second worker while holding the first: a busy pool reads on one.
    helper = tryAcquire();
    const mid = helper ? Math.ceil(lastPage / 2) : lastPage;
    const [, extra] = await Promise.all([
      call<undefined>(a, { op: 'keepPages', firstPage: 1, lastPage: mid }, signal),
      helper && mid < lastPage
        ? call<PdfPageItems[]>(helper, { op: 'pages', bytes, firstPage: mid + 1, lastPage, name }, signal)
        : Promise.resolve([]),
    ]);
    open = false;
    return await call<PdfExtraction>(a, { op: 'finish', extra }, signal);
  } finally {
    if (open && !a.dead) await call(a, { op: 'close' }, undefined).catch(() => undefined);
    if (helper) release(helper);
    release(a);
  }
}

/** A one-page PDF with a line of Helvetica text (a Type 1 standard font, as older papers use). */
const WARM_UP_PDF = new TextEncoder().encode(
  [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj',
    '4 0 obj << /Length 60 >> stream',
    'BT /F1 12 Tf 72 720 Td (Warm-up text of the PDF engine.) Tj ET',
    'endstream endobj',
    '5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
  ].join('\n'),
);
