/**
 * Which papers of a batch run at once, so that the batch fills the model server and the user never waits behind it.
 *
 * Each paper sends one request at a time, and as many papers run as the server has parallel slots while the user
 * runs nothing. When a command the user waits on starts, the batch shrinks to slots − 1 (0 with a single slot) and,
 * if all slots are taken, stops its most recently started paper at once: its request is aborted, which frees the
 * server's slot, and the paper goes back to the queue without counting an attempt (its finished map parts are in
 * the result cache, so little is lost). The user's request therefore finds a free slot instead of queueing behind
 * up to `slots` batch requests. The simpler rule — always leave one slot free — would cost a quarter of the
 * throughput on a four-slot server for the whole batch, to serve a command that runs now and then. Between papers
 * the batch checks again, so it takes the slot back only once the user's commands are done.
 */
import { isCancellationError } from '../errors';
import type { RunActivity } from '../assistant';

export interface SchedulerOptions<O> {
  readonly slots: number;
  readonly activity: RunActivity;
  readonly signal: AbortSignal;
  /** One paper; must reject with a cancellation error when its signal fires. */
  readonly work: (uri: string, signal: AbortSignal) => Promise<O>;
  readonly onFinished: (uri: string, outcome: O) => void;
  /** Puts a paper stopped to make room back in the queue. */
  readonly release: (uri: string) => Promise<void>;
}

interface Running {
  readonly controller: AbortController;
  readonly startedAt: number;
  yielded: boolean;
}

export class PaperScheduler<O> {
  private readonly running = new Map<string, Running>();
  private wake: (() => void) | undefined;
  private failure: unknown;
  private started = 0;

  constructor(private readonly options: SchedulerOptions<O>) {}

  /** Papers the batch may run now. */
  capacity(): number {
    const { slots, activity } = this.options;
    if (activity.running() === 0) return slots;
    return slots > 1 ? slots - 1 : 0;
  }

  /** Runs every paper; rejects with the first error a paper raised (other than making room), or on cancellation. */
  async run(papers: readonly string[]): Promise<void> {
    const { signal, activity } = this.options;
    const pending = [...papers];
    const sub = activity.onDidChange(() => {
      this.makeRoom();
      this.poke();
    });
    const onAbort = (): void => this.poke();
    signal.addEventListener('abort', onAbort);
    try {
      while (this.failure === undefined && !signal.aborted && (pending.length > 0 || this.running.size > 0)) {
        while (this.failure === undefined && !signal.aborted && pending.length > 0 && this.running.size < this.capacity()) {
          this.start(pending.shift() as string, pending);
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
      // Cancelled or failed: wait for the papers in flight to stop, so none is left marked running.
      for (const r of this.running.values()) r.controller.abort();
      while (this.running.size > 0) await new Promise<void>((resolve) => (this.wake = resolve));
    } finally {
      sub.dispose();
      signal.removeEventListener('abort', onAbort);
    }
    if (this.failure !== undefined) throw this.failure;
    if (signal.aborted) throw Object.assign(new Error('Cancelled'), { name: 'AbortError' });
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Stops the most recently started papers until the batch is within its capacity. */
  private makeRoom(): void {
    const excess = [...this.running.values()].filter((r) => !r.yielded).length - this.capacity();
    if (excess <= 0) return;
    const youngest = [...this.running.values()].filter((r) => !r.yielded).sort((a, b) => b.startedAt - a.startedAt);
    for (const r of youngest.slice(0, excess)) {
      r.yielded = true;
      r.controller.abort();
    }
  }

  private start(uri: string, pending: string[]): void {
    const { signal, work, onFinished, release } = this.options;
    const controller = new AbortController();
    const forward = (): void => controller.abort();
    signal.addEventListener('abort', forward, { once: true });
    const entry: Running = { controller, startedAt: (this.started += 1), yielded: false };
    this.running.set(uri, entry);
    void (async () => {
      try {
        const outcome = await work(uri, controller.signal);
        onFinished(uri, outcome);
      } catch (error) {
        if (isCancellationError(error) || controller.signal.aborted) {
          await release(uri).catch(() => undefined);
          // Made room for the user: read it again once there is room.
          if (entry.yielded && !signal.aborted) pending.unshift(uri);
        } else {
          // The run stops with this error: the paper was not finished, so it is pending again, not "running".
          await release(uri).catch(() => undefined);
          this.failure ??= error;
        }
      } finally {
        signal.removeEventListener('abort', forward);
        this.running.delete(uri);
        this.poke();
      }
    })();
  }
}
