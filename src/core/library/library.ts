/**
 * The library as hosts use it: `update` brings the index up to date with the workspace's files (discover,
 * then each file by indexer.ts, a few at a time, with "312/1,000 files" progress), `changed` does the same
 * for what a watcher reports, and vectors follow in the background when the server has an embedding model,
 * the index answering lexically meanwhile.
 */
import type { ContentHasher } from '../cache/extractionCache';
import { AssistantError, isCancellationError, throwIfAborted } from '../errors';
import type { FileReader, FileStamp, WorkspaceIndex } from '../ports/files';
import { nullLogger, type Logger } from '../ports/logger';
import { estimateTokens } from '../llm/tokens';
import { uriKey } from '../sources/uri';
import type { ChunkIndex } from './chunkIndex';
import { discoverFiles, LibraryMatcher, type LibraryFile, type LibraryScope } from './discover';
import { indexFile, isUnchanged, stampOf, type FileOutcome, type IndexerDeps, type ReadSource } from './indexer';
import type { Embedder, FileRecord, Library, LibraryStatus, Passage, SearchOptions, UpdateOptions } from './types';

export interface LibraryDeps {
  readonly index: ChunkIndex;
  /** The host's files; `refresh` (when the host caches its listing) is called before each full update. */
  readonly files: FileReader & WorkspaceIndex & { refresh?(): void };
  /** One file as a source, through the extraction cache (DefaultSourceReader.readSource). */
  readonly read: ReadSource;
  /** Include / exclude globs, read at each update (settings may have changed). */
  readonly scope: () => LibraryScope;
  /** PDFs the bibliography attaches (they may sit outside the workspace). */
  readonly attachments?: (signal: AbortSignal) => Promise<readonly string[]>;
  /** The server's embedding model, when it has one (undefined: lexical only). */
  readonly embedder?: () => Promise<Embedder | undefined>;
  readonly logger?: Logger;
  /** Files read at once (default 2: the PDF engine parallelises on worker threads itself). */
  readonly concurrency?: number;
  /** Largest passage in estimated tokens. */
  readonly chunkTokens?: number;
  /** The host's content hasher (files touched but perhaps unchanged are hashed); default Web Crypto. */
  readonly hash?: ContentHasher;
  /** Passages per embedding request (default 32). */
  readonly embedBatch?: number;
  /** Saves at most this often during a long update (default 10 s), so a crash loses little. */
  readonly saveEveryMs?: number;
}

/** The library, plus what tests and the bench wait on. */
export interface LibraryService extends Library {
  /** Resolves when the background embedding started by the last update or change has finished. */
  vectorsDone(): Promise<void>;
}

/** The embedding's progress: what the status shows, and who hears of it while an update waits for it. */
interface EmbeddingWatch {
  progress?: UpdateOptions['progress'];
  state?: { readonly model: string; embedded: number; readonly total: number };
}

/** The background embedding of passages without vectors. */
interface Embedding {
  readonly controller: AbortController;
  readonly done: Promise<void>;
  readonly watch: EmbeddingWatch;
}

/**
 * "1,000" in progress messages. Made on first use: the first Intl formatter of a process loads ICU's data
 * (~20 ms), which every command-line run paid at start whether or not it touched the library.
 */
const numberFormat = ((): (() => Intl.NumberFormat) => {
  let made: Intl.NumberFormat | undefined;
  return () => (made ??= new Intl.NumberFormat('en-US'));
})();
/** Stamps checked at once before a run (each is one stat). */
const STAT_CONCURRENCY = 16;

export function createLibrary(deps: LibraryDeps): LibraryService {
  return new DefaultLibrary(deps);
}

class DefaultLibrary implements LibraryService {
  private readonly logger: Logger;
  /** Updates and changes run one at a time: both write records. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Files found by the running update and not processed yet. */
  private readonly pending = new Set<string>();
  private matcher: LibraryMatcher | undefined;
  private embedding: Embedding | undefined;
  private disposed = false;
  private readonly indexer: IndexerDeps;

  constructor(private readonly deps: LibraryDeps) {
    this.logger = deps.logger ?? nullLogger;
    this.indexer = { ...deps, logger: this.logger };
  }

  update(options: UpdateOptions): Promise<LibraryStatus> {
    return this.exclusive(async () => {
      const { signal } = options;
      this.stopEmbedding();
      this.deps.files.refresh?.();
      const attachments = await this.attachments(signal);
      const matcher = new LibraryMatcher(this.deps.files, this.deps.scope(), attachments);
      this.matcher = matcher;
      const discovery = await discoverFiles(this.deps.files, matcher, attachments, signal);
      const known = new Map((await this.deps.index.records()).map((r) => [uriKey(r.uri), r]));
      const listed = new Set([...discovery.files, ...discovery.excluded].map((f) => uriKey(f.uri)));
      // Deleted, or no longer in scope (an include glob narrowed): dropped.
      for (const [key, record] of known) if (!listed.has(key)) await this.deps.index.removeFile(record.uri);
      for (const out of discovery.excluded) {
        const before = known.get(uriKey(out.uri));
        if (before?.status.state === 'skipped' && before.status.reason === out.reason) continue;
        await this.deps.index.putFile(
          { uri: out.uri, path: out.path, hash: '', size: 0, mtime: 0, status: { state: 'skipped', reason: out.reason } },
          [],
        );
      }
      await this.run(discovery.files, known, options);
      if (options.waitForVectors) await this.vectorsFor(options);
      return this.statusNow();
    });
  }

  /** Waits for the embedding the run started, reporting its progress; cancelling the update stops it. */
  private async vectorsFor(options: UpdateOptions): Promise<void> {
    const embedding = this.embedding;
    if (!embedding) return;
    embedding.watch.progress = options.progress;
    const stop = (): void => embedding.controller.abort();
    options.signal.addEventListener('abort', stop, { once: true });
    try {
      await embedding.done;
    } finally {
      options.signal.removeEventListener('abort', stop);
      embedding.watch.progress = undefined;
    }
    throwIfAborted(options.signal);
  }

  changed(uris: readonly string[], signal: AbortSignal): Promise<void> {
    return this.exclusive(async () => {
      this.stopEmbedding();
      const matcher = (this.matcher ??= new LibraryMatcher(this.deps.files, this.deps.scope(), await this.attachments(signal)));
      const known = new Map((await this.deps.index.records()).map((r) => [uriKey(r.uri), r]));
      const files: LibraryFile[] = [];
      for (const uri of uris) {
        const before = known.get(uriKey(uri));
        const verdict = await matcher.verdict(uri, signal);
        if (verdict && 'in' in verdict) files.push(verdict.in);
        else if (verdict)
          await this.deps.index.putFile(
            { ...verdict.out, hash: '', size: 0, mtime: 0, status: { state: 'skipped', reason: verdict.out.reason } },
            [],
          );
        else if (before) await this.deps.index.removeFile(before.uri);
      }
      await this.run(files, known, { signal });
    });
  }

  status(): Promise<LibraryStatus> {
    return this.statusNow();
  }

  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    // The query is embedded only when the index holds vectors: a lexical index never waits on the server.
    const hybrid = options.mode !== 'lexical' && (await this.deps.index.vectorModel()) !== undefined;
    const embedder = hybrid ? await this.embedder() : undefined;
    return this.deps.index.search(query, options, embedder);
  }

  clear(): Promise<void> {
    this.stopEmbedding();
    this.matcher = undefined;
    return this.exclusive(() => this.deps.index.clear());
  }

  dispose(): void {
    this.disposed = true;
    this.stopEmbedding();
  }

  vectorsDone(): Promise<void> {
    return this.embedding?.done ?? Promise.resolve();
  }

  /** Processes files `concurrency` at a time; saves now and then, and always at the end (cancelled included). */
  private async run(files: readonly LibraryFile[], known: ReadonlyMap<string, FileRecord>, options: UpdateOptions): Promise<void> {
    const { signal, progress } = options;
    const total = files.length;
    for (const f of files) this.pending.add(uriKey(f.uri));
    const counts: Record<FileOutcome, number> = { unchanged: 0, indexed: 0, failed: 0, skipped: 0, removed: 0 };
    const everyMs = this.deps.saveEveryMs ?? 10_000;
    let lastSave = Date.now();
    let done = 0;
    let next = 0;
    let reported = 0;
    // Thousands of unchanged files pass in well under a second: the host hears of them a few times, not per file.
    const report = (force = false): void => {
      const now = Date.now();
      if (!force && done < total && now - reported < 100) return;
      reported = now;
      progress?.report(`${numberFormat().format(done)}/${numberFormat().format(total)} files`, total === 0 ? 1 : done / total);
    };
    const stamps = new Map<string, FileStamp | undefined>();
    let queue: readonly LibraryFile[] = files;
    const worker = async (): Promise<void> => {
      while (next < queue.length) {
        throwIfAborted(signal);
        const file = queue[next++] as LibraryFile;
        const key = uriKey(file.uri);
        const outcome = await indexFile(this.indexer, file, known.get(key), options.retryFailed === true, signal, stamps.get(key));
        counts[outcome]++;
        this.pending.delete(key);
        done++;
        report();
        if (Date.now() - lastSave >= everyMs) {
          lastSave = Date.now();
          await this.deps.index.save();
        }
      }
    };
    /**
     * First every known file's stamp, many at a time: re-opening a workspace of thousands of unchanged files costs
     * a stat each, overlapped, and only the rest queue for reading.
     */
    const check = async (): Promise<void> => {
      const changed = new Array<boolean>(files.length).fill(true);
      let at = 0;
      const checker = async (): Promise<void> => {
        while (at < files.length) {
          throwIfAborted(signal);
          const i = at++;
          const file = files[i] as LibraryFile;
          const key = uriKey(file.uri);
          const previous = known.get(key);
          if (!previous) continue;
          const stamp = await stampOf(this.deps.files, file.uri, signal);
          if (stamp && isUnchanged(previous, stamp, options.retryFailed === true)) {
            changed[i] = false;
            counts.unchanged++;
            this.pending.delete(key);
            done++;
            report();
          } else stamps.set(key, stamp);
        }
      };
      await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, files.length) }, checker));
      queue = files.filter((_, i) => changed[i]);
    };
    report(true);
    const started = Date.now();
    try {
      await check();
      const workers = Array.from({ length: Math.max(1, Math.min(this.deps.concurrency ?? 2, queue.length)) }, worker);
      // Every worker settles before the save: none is left writing after the run reports.
      const results = await Promise.allSettled(workers);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
    } finally {
      this.pending.clear();
      await this.deps.index.save(!signal.aborted);
      const summary = Object.entries(counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      this.logger.info(
        `library: ${done}/${total} files in ${Date.now() - started} ms${summary ? ` (${summary})` : ''}${signal.aborted ? ', cancelled' : ''}`,
      );
    }
    this.startEmbedding();
  }

  private async statusNow(): Promise<LibraryStatus> {
    const files = await this.deps.index.records();
    let indexed = 0;
    let failed = 0;
    let skipped = 0;
    let chunks = 0;
    for (const r of files) {
      if (r.status.state === 'indexed') {
        indexed++;
        chunks += r.status.chunks;
      } else if (r.status.state === 'failed') failed++;
      else skipped++;
    }
    const embeddingModel = await this.deps.index.vectorModel();
    const embedding = this.embedding?.watch.state;
    return {
      files,
      indexed,
      failed,
      skipped,
      pending: this.pending.size,
      chunks,
      ...(embeddingModel === undefined ? {} : { embeddingModel }),
      ...(embedding === undefined ? {} : { embedding: { ...embedding } }),
    };
  }

  private async attachments(signal: AbortSignal): Promise<readonly string[]> {
    if (!this.deps.attachments) return [];
    try {
      return await this.deps.attachments(signal);
    } catch (error) {
      if (isCancellationError(error)) throw error;
      // A bibliography that cannot be read leaves its attachments out, not the whole library.
      this.logger.warn(`library: bibliography attachments not read: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  private async embedder(): Promise<Embedder | undefined> {
    try {
      return await this.deps.embedder?.();
    } catch (error) {
      if (isCancellationError(error)) throw error;
      this.logger.warn(`library: no embedding model, searching lexically: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new AssistantError('Cancelled', 'The library was closed'));
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private stopEmbedding(): void {
    this.embedding?.controller.abort();
    this.embedding = undefined;
  }

  /** Embeds, in the background, the passages of indexed files that have no vectors from the current model. */
  private startEmbedding(): void {
    if (!this.deps.embedder || this.disposed) return;
    this.stopEmbedding();
    const controller = new AbortController();
    const watch: EmbeddingWatch = {};
    const done = this.embedAll(controller.signal, watch).catch((error: unknown) => {
      if (!isCancellationError(error))
        this.logger.warn(`library: embedding stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.embedding = { controller, done, watch };
  }

  private async embedAll(signal: AbortSignal, watch: EmbeddingWatch): Promise<void> {
    const embedder = await this.embedder();
    if (!embedder) return;
    const stored = await this.deps.index.vectorModel();
    const todo = (await this.deps.index.records()).filter(
      (r) => r.status.state === 'indexed' && (!r.status.vectors || (stored !== undefined && stored !== embedder.model)),
    );
    const total = todo.reduce((n, r) => n + (r.status.state === 'indexed' ? r.status.chunks : 0), 0);
    const state = { model: embedder.model, embedded: 0, total };
    const report = (): void =>
      watch.progress?.report(
        `embedding passages: ${numberFormat().format(state.embedded)}/${numberFormat().format(total)} (${embedder.model})`,
        state.embedded / total,
      );
    if (total > 0) {
      watch.state = state;
      report();
    }
    const batch = Math.max(1, this.deps.embedBatch ?? 32);
    let lastSave = Date.now();
    try {
      for (const record of todo) {
        throwIfAborted(signal);
        const chunks = await this.deps.index.chunksOf(record.uri);
        const vectors: Float32Array[] = [];
        for (let i = 0; i < chunks.length; i += batch) {
          const texts = chunks.slice(i, i + batch).map((c) => fitInput(c.text, embedder.maxInputTokens));
          vectors.push(...(await embedder.embed(texts, signal)));
          state.embedded += texts.length;
          report();
        }
        throwIfAborted(signal);
        if (vectors.length !== chunks.length) throw new Error(`${record.path}: ${vectors.length} vectors for ${chunks.length} passages`);
        const status = record.status.state === 'indexed' ? { ...record.status, vectors: true } : record.status;
        await this.deps.index.putFile({ ...record, status }, chunks, { model: embedder.model, vectors });
        if (Date.now() - lastSave >= (this.deps.saveEveryMs ?? 10_000)) {
          lastSave = Date.now();
          await this.deps.index.save();
        }
      }
      await this.deps.index.save(true);
    } finally {
      watch.state = undefined;
    }
  }
}

/** A passage cut to what the embedding model takes (passages are smaller than most models' context already). */
function fitInput(text: string, maxTokens: number): string {
  const tokens = estimateTokens(text);
  if (maxTokens <= 0 || tokens <= maxTokens) return text;
  return text.slice(0, Math.max(1, Math.floor((text.length * maxTokens) / tokens)));
}
