/**
 * Batch reading: each paper of a folder into a note (front matter, a link to the PDF, the grounded structured
 * summary) and one row of the literature matrix, through a persistent queue. A paper's failure is recorded with
 * its reason and never stops the others; a transient one (the server busy, unreachable, slow) is retried with
 * backoff first. Finished papers are not read again on a resumed or repeated run, and the map parts of a paper cut
 * short come from the result cache, so a resumed summary asks only for what is missing.
 */
import type { Assistant } from '../assistant';
import { hasErrorCode, isAssistantError, isCancellationError, throwIfAborted, type AssistantErrorCode } from '../errors';
import { isoDate } from '../insertion/markers';
import type { NoteDocument } from '../ports/document';
import { nullLogger, type Logger } from '../ports/logger';
import { contentHash } from '../cache/extractionCache';
import type { Source } from '../sources/types';
import type { BibEntry } from '../sources/bibliography';
import { uriKey, workspaceRelative } from '../sources/uri';
import { fileQueueStore, joinUri, QUEUE_FILE, type BatchFiles } from './files';
import { updateMatrix } from './matrix';
import type { PaperMetadata } from './metadata';
import { refreshFrontMatter, renderFrontMatter, type FrontMatterInput } from './frontMatter';
import { extractPaperMetadata } from './metadataExtract';
import { baseName, paperNoteName, pdfLink, renderPaperNote, withOwnBlock } from './paperNote';
import { BatchQueue } from './queue';
import { PaperScheduler } from './scheduler';

/** Errors no retry can fix for any paper: the whole run stops with them (every other paper would fail the same way). */
const FATAL: readonly AssistantErrorCode[] = ['Auth', 'ModelNotFound', 'NoModels', 'RemoteEndpointRefused', 'Untrusted', 'InvalidTemplate'];
/** Errors that may pass: the paper is tried again after a pause, and on the next run if they persist. */
const TRANSIENT: readonly AssistantErrorCode[] = ['EndpointUnreachable', 'Busy', 'ServerError', 'SilentFailure', 'Timeout', 'BadResponse'];

export interface BatchDeps {
  readonly assistant: Assistant;
  readonly files: BatchFiles;
  /** Workspace folder URIs: notes name their PDF workspace-relative. */
  readonly folders: readonly string[];
  /**
   * The paper's own metadata (bibliography entry, PDF info dictionary and XMP, page 1 by font size); default: what
   * page 1's text states (title, DOI, year…), else the file name as the title.
   */
  readonly metadataOf?: (source: Source, signal: AbortSignal) => Promise<PaperMetadata>;
  /** The front matter of a new note; default: frontMatter.ts. */
  readonly frontMatter?: (fields: FrontMatterInput) => string;
  readonly logger?: Logger;
  /** Paper-level retries of transient errors (after the session's own): attempts in all and the first pause. */
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number };
  readonly now?: () => number;
}

export interface BatchRequest {
  /** The papers (PDF URIs), in the order to read them. */
  readonly papers: readonly string[];
  /** Where the notes, the matrix and the queue go (a folder URI). */
  readonly notesFolder: string;
  /** The matrix's columns; none: no matrix. */
  readonly columns: readonly string[];
  /** Read again the papers that failed for good before (corrupt files the user has since replaced keep a new hash anyway). */
  readonly retryFailed?: boolean;
  /** `auto`: the server's parallel slots; a number caps them. */
  readonly concurrency: 'auto' | number;
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: BatchProgress) => void;
}

export interface BatchProgress {
  readonly total: number;
  /** Papers finished this run: read, unchanged or failed. */
  readonly finished: number;
  readonly failed: number;
  /** Estimated time left, once a paper has been read. */
  readonly remainingMs?: number;
  /** "Reading 12/50 · 1 failed · ~4 min left". */
  readonly text: string;
}

export interface PaperFailure {
  readonly uri: string;
  /** The PDF, workspace-relative. */
  readonly name: string;
  readonly reason: string;
  /** True when only "retry failed" reads it again. */
  readonly permanent: boolean;
}

export interface BatchSummary {
  readonly total: number;
  /** Papers summarised this run. */
  readonly read: number;
  /** Papers skipped because they are unchanged since a finished run. */
  readonly unchanged: number;
  readonly failures: readonly PaperFailure[];
  /** The notes written or kept, one per finished paper. */
  readonly notes: readonly string[];
  /** The matrix note, when columns were given and a paper is finished. */
  readonly matrix?: string;
  /** Requests the run sent (cache hits excluded). */
  readonly requests: number;
  readonly cancelled: boolean;
}

/** "Reading 12/50 · 1 failed · ~4 min left". */
export function progressText(p: Omit<BatchProgress, 'text'>): string {
  const parts = [`Reading ${p.finished}/${p.total}`];
  if (p.failed > 0) parts.push(`${p.failed} failed`);
  if (p.remainingMs !== undefined && p.finished < p.total) {
    const minutes = Math.round(p.remainingMs / 60_000);
    parts.push(minutes >= 1 ? `~${minutes} min left` : '<1 min left');
  }
  return parts.join(' · ');
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('Cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(Object.assign(new Error('Cancelled'), { name: 'AbortError' }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A note that exists only in memory: the per-paper note's place, linking the PDF, for the summary task. */
function virtualNote(uri: string, text: string): NoteDocument {
  return { uri, version: 1, languageId: 'markdown', getText: () => text };
}

type PaperOutcome = 'read' | 'unchanged' | 'failed';

/** Runs a batch: returns the summary (failures listed with reasons); throws only for a fatal error (no server, bad key…). */
export async function runBatch(deps: BatchDeps, request: BatchRequest): Promise<BatchSummary> {
  return new BatchRun(deps, request).run();
}

class BatchRun {
  private readonly logger: Logger;
  private readonly now: () => number;
  private queue!: BatchQueue;
  private readonly failures = new Map<string, PaperFailure>();
  private readonly notes = new Map<string, string>();
  private read = 0;
  private unchanged = 0;
  private requests = 0;
  /** Milliseconds spent on each paper actually read, for the estimate. */
  private readMs = 0;
  private slots = 1;
  /** Papers started this run, and the sources read ahead of their turn. */
  private readonly begun = new Set<string>();
  private readonly readAhead = new Map<string, Promise<Source>>();
  /** The bibliography's entries by attached file (the `bibliography` setting), read once per run. */
  private bibliography: Promise<ReadonlyMap<string, BibEntry>> | undefined;

  constructor(
    private readonly deps: BatchDeps,
    private readonly request: BatchRequest,
  ) {
    this.logger = deps.logger ?? nullLogger;
    this.now = deps.now ?? Date.now;
  }

  async run(): Promise<BatchSummary> {
    const { request, deps } = this;
    const store = fileQueueStore(deps.files, joinUri(request.notesFolder, QUEUE_FILE));
    this.queue = await BatchQueue.open(store, this.logger, this.now);
    await this.queue.admit(request.papers);
    const session = await deps.assistant.connect(request.signal);
    this.slots = Math.max(1, request.concurrency === 'auto' ? session.info.parallelSlots : request.concurrency);
    this.report();

    const scheduler = new PaperScheduler({
      slots: this.slots,
      activity: deps.assistant.activity,
      signal: request.signal,
      work: (uri, signal) => this.paper(uri, signal),
      onFinished: (uri, outcome) => this.finished(uri, outcome),
      release: (uri) => this.queue.release(uri),
    });
    let cancelled = false;
    try {
      await scheduler.run(request.papers);
    } catch (error) {
      if (!isCancellationError(error)) throw error;
      cancelled = true;
    }

    let matrix: string | undefined;
    const done = request.papers.filter((uri) => this.queue.get(uri)?.state === 'done');
    if (!cancelled && request.columns.length > 0 && done.length > 0) {
      const m = await updateMatrix(deps, {
        papers: done,
        columns: request.columns,
        notesFolder: request.notesFolder,
        maxParallelRequests: this.slots,
        signal: request.signal,
      });
      this.requests += m.requests;
      matrix = m.uri;
    }
    return {
      total: request.papers.length,
      read: this.read,
      unchanged: this.unchanged,
      failures: request.papers.flatMap((uri) => this.failures.get(uri) ?? []),
      notes: request.papers.flatMap((uri) => this.notes.get(uri) ?? []),
      ...(matrix ? { matrix } : {}),
      requests: this.requests,
      cancelled,
    };
  }

  private finished(uri: string, outcome: PaperOutcome | 'fatal'): void {
    if (outcome === 'read') this.read += 1;
    if (outcome === 'unchanged') this.unchanged += 1;
    this.logger.info(`Batch: ${this.name(uri)} ${outcome}`);
    this.report();
  }

  private report(): void {
    const finished = this.read + this.unchanged + this.failures.size;
    const total = this.request.papers.length;
    const remaining = total - finished;
    // The papers read so far, run `slots` at a time, predict the rest (unchanged ones cost nothing).
    const remainingMs = this.read > 0 ? ((this.readMs / this.read) * remaining) / this.slots : undefined;
    const p = { total, finished, failed: this.failures.size, ...(remainingMs !== undefined ? { remainingMs } : {}) };
    this.request.onProgress?.({ ...p, text: progressText(p) });
  }

  private name(uri: string): string {
    return workspaceRelative(uri, this.deps.folders);
  }

  private async fail(uri: string, detail: string, permanent: boolean, hash?: string): Promise<PaperOutcome> {
    const name = this.name(uri);
    // The failure list names the file itself: the reason says only what went wrong.
    const reason = detail.startsWith(`${name}: `) ? detail.slice(name.length + 2) : detail;
    this.logger.warn(`Batch: ${name}: ${reason}`);
    await this.queue.markFailed(uri, reason, permanent, hash);
    this.failures.set(uri, { uri, name, reason, permanent });
    return 'failed';
  }

  /** One paper, start to finish. Cancellation (the run's, or making room for the user) propagates. */
  private async paper(uri: string, signal: AbortSignal): Promise<PaperOutcome> {
    const { deps, request } = this;
    const source = await this.source(uri, signal);
    const hash = source.contentHash ?? (await this.bytesHash(uri, signal));
    const plan = hash === undefined ? 'read' : this.queue.plan(uri, hash, request.retryFailed === true);
    const entry = this.queue.get(uri);
    if (plan === 'unchanged' && entry?.note && (await deps.files.readText(entry.note, signal)) !== undefined) {
      this.notes.set(uri, entry.note);
      return 'unchanged';
    }
    if (plan === 'failedBefore' && entry) {
      this.failures.set(uri, { uri, name: this.name(uri), reason: entry.reason ?? 'failed before', permanent: true });
      return 'failed';
    }
    if (source.status !== 'ok') return this.fail(uri, source.statusDetail ?? source.status, true, hash);

    await this.queue.markRunning(uri, hash ?? '');
    const retry = deps.retry ?? { attempts: 3, baseDelayMs: 2000 };
    for (let attempt = 1; ; attempt++) {
      const started = this.now();
      try {
        const note = await this.summarise(uri, source, signal);
        this.readMs += this.now() - started;
        await this.queue.markDone(uri, note);
        this.notes.set(uri, note);
        return 'read';
      } catch (error) {
        if (isCancellationError(error) || hasErrorCode(error, ...FATAL)) throw error;
        const transient = hasErrorCode(error, ...TRANSIENT);
        if (transient && attempt < retry.attempts) {
          const pause = retry.baseDelayMs * 4 ** (attempt - 1);
          this.logger.info(`Batch: ${this.name(uri)}: ${reasonOf(error)}; trying again in ${pause} ms`);
          await sleep(pause, signal);
          continue;
        }
        const code = isAssistantError(error) ? ` (${error.code})` : '';
        return this.fail(uri, `${reasonOf(error)}${code}`, !transient, hash);
      }
    }
  }

  /**
   * The paper as a source, read ahead when it could be: PDFs are extracted one at a time, so the papers after this
   * one are extracted while its requests run, and a paper's turn does not start with waiting for its extraction.
   */
  private source(uri: string, signal: AbortSignal): Promise<Source> {
    const { papers } = this.request;
    this.begun.add(uri);
    const at = papers.indexOf(uri);
    for (const next of papers.slice(at + 1, at + 1 + this.slots)) {
      if (this.begun.has(next) || this.readAhead.has(next)) continue;
      const read = this.deps.assistant.sources.readSource(next, this.request.signal);
      read.catch(() => undefined);
      this.readAhead.set(next, read);
    }
    const ahead = this.readAhead.get(uri);
    this.readAhead.delete(uri);
    return ahead ?? this.deps.assistant.sources.readSource(uri, signal);
  }

  /** A paper's bibliography entry (title, authors, year, DOI, citekey) comes before what the PDF states. */
  private bibliographyEntries(signal: AbortSignal): Promise<ReadonlyMap<string, BibEntry>> {
    const read = async (): Promise<ReadonlyMap<string, BibEntry>> => {
      const sources = this.deps.assistant.sources;
      try {
        return (await sources.bibliographyEntries?.(virtualNote(joinUri(this.request.notesFolder, 'batch.md'), ''), signal)) ?? new Map();
      } catch (error) {
        if (isCancellationError(error)) throw error;
        this.logger.warn(`batch: the bibliography was not read: ${error instanceof Error ? error.message : String(error)}`);
        return new Map();
      }
    };
    return (this.bibliography ??= read());
  }

  private async bytesHash(uri: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      return await contentHash(await this.deps.files.readBytes(uri, signal));
    } catch (error) {
      if (isCancellationError(error)) throw error;
      return undefined;
    }
  }

  /** The summary (and the matrix row's cells, cached for the matrix) of a readable paper, written into its note. */
  private async summarise(uri: string, source: Source, signal: AbortSignal): Promise<string> {
    const { deps, request } = this;
    throwIfAborted(signal);
    const metadata = deps.metadataOf
      ? await deps.metadataOf(source, signal)
      : fallbackMetadata(uri, source, (await this.bibliographyEntries(signal)).get(uriKey(uri)));
    const noteUri = joinUri(request.notesFolder, this.noteName(uri, metadata));
    const link = pdfLink(request.notesFolder, uri);
    const note = virtualNote(noteUri, `${link}\n`);
    // One request at a time per paper: the papers themselves fill the server's slots (see PaperScheduler).
    const options = { signal, background: true, maxParallelRequests: 1 } as const;
    const outcome = await deps.assistant.run({ task: 'summarizePaper', note, args: { link } }, options);
    this.requests += outcome.result.requests;
    if (request.columns.length > 0) {
      const row = await deps.assistant.run({ task: 'compare', note, args: { columns: request.columns } }, options);
      this.requests += row.result.requests;
    }
    const existing = await deps.files.readText(noteUri, signal);
    throwIfAborted(signal);
    let text: string;
    const written = {
      model: outcome.result.model,
      date: isoDate(new Date(this.now())),
      status: outcome.result.finishReason === 'length' ? 'incomplete' : 'summarized',
    };
    if (existing === undefined) {
      const fields: FrontMatterInput = { metadata, source: this.name(uri), ...written };
      const frontMatter = (deps.frontMatter ?? renderFrontMatter)(fields);
      text = renderPaperNote({ frontMatter, title: metadata.title ?? baseName(uri), link, block: outcome.block });
    } else {
      // The summary block is replaced and the front matter says which model wrote it when; the rest is the user's.
      text = refreshFrontMatter(withOwnBlock(existing, 'summary', outcome.spec.attributes.target, outcome.block), written);
    }
    await deps.files.writeText(noteUri, text);
    return noteUri;
  }

  /** The note's name; a second paper with the same name (another folder, same citekey) gets a short suffix. */
  private noteName(uri: string, metadata: PaperMetadata): string {
    const name = paperNoteName(metadata, uri);
    const taken = this.queue.all().some((e) => e.uri !== uri && e.note === joinUri(this.request.notesFolder, name));
    if (!taken) return name;
    let h = 0;
    for (const ch of uri) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return name.replace(/\.md$/, ` (${h.toString(36).slice(0, 4)}).md`);
  }
}

/**
 * What the paper states about itself: its bibliography entry first, then the PDF's XMP, info dictionary and page 1
 * (by type size) when the engine read them, else page 1's text; the file name as the title when nothing states
 * one. Nothing is guessed.
 */
export function fallbackMetadata(uri: string, source?: Source, entry?: BibEntry): PaperMetadata {
  const firstPageText = source?.sections
    .filter((s) => s.location.page === 1)
    .map((s) => s.text)
    .join('\n');
  const found =
    entry || source?.pdfMetadata || firstPageText
      ? extractPaperMetadata({
          ...(entry ? { bibliography: entry } : {}),
          ...(source?.pdfMetadata ? { document: source.pdfMetadata } : {}),
          ...(firstPageText ? { firstPageText } : {}),
        })
      : { origin: {} };
  return found.title ? found : { ...found, title: baseName(uri) };
}
