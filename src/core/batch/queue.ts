/**
 * The batch queue: one entry per paper (pending, running, done or failed with a reason and the attempts made),
 * persisted after every change so a restart, a crash or Ctrl-C resumes where the run stopped. The file carries a
 * format version and a checksum of its content: a truncated, corrupt or other-version file is detected, logged once
 * and rebuilt empty (the papers are then read again, and their finished answers come from the result cache).
 */
import type { Logger } from '../ports/logger';
import { sha256Hex } from '../results/resultCache';

/** Where the queue is kept (a file beside the notes): whole-file reads, and writes that replace the file atomically. */
export interface QueueStore {
  /** The stored text; `undefined` when there is none yet. */
  read(): Promise<string | undefined>;
  /** Replaces the stored text as a whole: a process killed mid-write leaves the previous text or the new one. */
  write(text: string): Promise<void>;
  /** A name for log lines (the file's path). */
  readonly name: string;
}

export type PaperState = 'pending' | 'running' | 'done' | 'failed';

export interface QueueEntry {
  /** The paper's URI: the entry's identity. */
  readonly uri: string;
  readonly state: PaperState;
  /** SHA-256 of the paper's bytes when it was last read. */
  readonly hash?: string;
  /** Runs that ended in an error (transient or permanent); reset when the paper changes. */
  readonly attempts: number;
  /** Why the last attempt failed, naming the file. */
  readonly reason?: string;
  /** True when retrying cannot help (corrupt, image-only, encrypted): only "retry failed" reads it again. */
  readonly permanent?: boolean;
  /** The per-paper note written for it (workspace URI). */
  readonly note?: string;
  /** When the entry last changed (ms since the epoch). */
  readonly updatedAt: number;
}

const FORMAT = 'research-assistant-batch-queue';
/** Raised whenever the entries' shape changes: an older file is rebuilt rather than misread. */
export const QUEUE_VERSION = 1;

interface QueueFile {
  readonly format: string;
  readonly version: number;
  readonly checksum: string;
  readonly entries: readonly QueueEntry[];
}

function isEntry(value: unknown): value is QueueEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.uri === 'string' &&
    (e.state === 'pending' || e.state === 'running' || e.state === 'done' || e.state === 'failed') &&
    typeof e.attempts === 'number' &&
    typeof e.updatedAt === 'number'
  );
}

/** The entries of a stored queue, or why they cannot be trusted. */
export async function parseQueue(text: string): Promise<{ entries: QueueEntry[] } | { problem: string }> {
  let file: QueueFile;
  try {
    file = JSON.parse(text) as QueueFile;
  } catch {
    return { problem: 'not valid JSON (truncated or corrupt)' };
  }
  if (typeof file !== 'object' || file === null || file.format !== FORMAT) return { problem: 'not a batch queue file' };
  if (file.version !== QUEUE_VERSION) return { problem: `written by another version (format ${String(file.version)})` };
  if (!Array.isArray(file.entries) || !file.entries.every(isEntry)) return { problem: 'entries of an unexpected shape' };
  if (file.checksum !== (await sha256Hex(JSON.stringify(file.entries)))) return { problem: 'checksum mismatch (corrupt)' };
  return { entries: [...file.entries] };
}

export async function serializeQueue(entries: readonly QueueEntry[]): Promise<string> {
  const checksum = await sha256Hex(JSON.stringify(entries));
  const file: QueueFile = { format: FORMAT, version: QUEUE_VERSION, checksum, entries };
  return JSON.stringify(file, null, 1);
}

/** What a paper needs on this run. */
export type PaperPlan = 'read' | 'unchanged' | 'failedBefore';

export class BatchQueue {
  private readonly entries = new Map<string, QueueEntry>();
  /** Writes in order, one at a time: the last one written is the latest state. */
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: QueueStore,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Opens the stored queue; a damaged one is logged and replaced by an empty queue. */
  static async open(store: QueueStore, logger: Logger, now: () => number = Date.now): Promise<BatchQueue> {
    const queue = new BatchQueue(store, logger, now);
    const text = await store.read();
    if (text !== undefined) {
      const parsed = await parseQueue(text);
      if ('problem' in parsed) {
        logger.warn(`Batch queue ${store.name}: ${parsed.problem}; rebuilt (papers are read again, cached answers reused)`);
      } else {
        for (const e of parsed.entries) queue.entries.set(e.uri, e);
      }
    }
    return queue;
  }

  get(uri: string): QueueEntry | undefined {
    return this.entries.get(uri);
  }

  all(): readonly QueueEntry[] {
    return [...this.entries.values()];
  }

  /**
   * Adds the papers not queued yet (pending) and puts back to pending every paper left running by a run that
   * stopped (crash, kill): the paper in flight is redone, nothing else. Persists.
   */
  async admit(uris: readonly string[]): Promise<void> {
    for (const uri of uris) {
      const e = this.entries.get(uri);
      if (!e) this.entries.set(uri, { uri, state: 'pending', attempts: 0, updatedAt: this.now() });
      else if (e.state === 'running') {
        this.logger.info(`Batch: ${uri} was being read when the last run stopped; reading it again`);
        this.entries.set(uri, { ...e, state: 'pending', updatedAt: this.now() });
      }
    }
    await this.save();
  }

  /** What to do with a paper whose bytes hash to `hash`. */
  plan(uri: string, hash: string, retryFailed: boolean): PaperPlan {
    const e = this.entries.get(uri);
    if (!e || e.hash !== hash) return 'read';
    if (e.state === 'done') return 'unchanged';
    if (e.state === 'failed' && e.permanent && !retryFailed) return 'failedBefore';
    return 'read';
  }

  async markRunning(uri: string, hash: string): Promise<void> {
    const e = this.entries.get(uri);
    // A changed paper starts its attempts again.
    const attempts = e && e.hash === hash ? e.attempts : 0;
    this.entries.set(uri, { uri, state: 'running', hash, attempts, updatedAt: this.now(), ...(e?.note ? { note: e.note } : {}) });
    await this.save();
  }

  async markDone(uri: string, note: string): Promise<void> {
    const e = this.require(uri);
    this.entries.set(uri, { uri, state: 'done', attempts: e.attempts, note, updatedAt: this.now(), ...(e.hash ? { hash: e.hash } : {}) });
    await this.save();
  }

  async markFailed(uri: string, reason: string, permanent: boolean, hash?: string): Promise<void> {
    const e = this.entries.get(uri);
    const sameFile = e !== undefined && (hash === undefined || e.hash === hash);
    this.entries.set(uri, {
      uri,
      state: 'failed',
      attempts: (sameFile ? e.attempts : 0) + 1,
      reason,
      permanent,
      updatedAt: this.now(),
      ...((hash ?? e?.hash) ? { hash: hash ?? e?.hash } : {}),
      ...(e?.note ? { note: e.note } : {}),
    });
    await this.save();
  }

  /** Back to pending without counting an attempt (the run made room for the user, or was cancelled). */
  async release(uri: string): Promise<void> {
    const e = this.entries.get(uri);
    if (e?.state !== 'running') return;
    this.entries.set(uri, { ...e, state: 'pending', updatedAt: this.now() });
    await this.save();
  }

  private require(uri: string): QueueEntry {
    const e = this.entries.get(uri);
    if (!e) throw new Error(`${uri} is not in the batch queue`);
    return e;
  }

  /** Writes the queue as it is now, after any write in progress. */
  save(): Promise<void> {
    const write = async (): Promise<void> => this.store.write(await serializeQueue(this.all()));
    this.saving = this.saving.then(write, write);
    return this.saving;
  }
}
