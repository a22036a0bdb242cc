/** A Clock whose time moves only when a test advances it: the core's timers run deterministically. */
import type { Clock } from '../../../src/core';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** Lets pending promise callbacks (edits resolving, change events) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class ManualClock implements Clock {
  private time = 1000;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), seq: id, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running every timer due on the way (and the promise work each one starts). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      let next: [number, Timer] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
      await settle();
    }
    this.time = end;
    await settle();
  }

  /** Advances in steps until `done` resolves (fails after `limitMs` of clock time). */
  async until<T>(done: Promise<T>, stepMs = 10, limitMs = 60_000): Promise<T> {
    let finished = false;
    let value: T | undefined;
    let failure: unknown;
    let failed = false;
    done.then(
      (v) => ((finished = true), (value = v)),
      (e: unknown) => ((finished = true), (failed = true), (failure = e)),
    );
    for (let t = 0; !finished && t < limitMs; t += stepMs) await this.advance(stepMs);
    await settle();
    if (!finished) throw new Error(`not finished after ${limitMs} ms of clock time`);
    if (failed) throw failure;
    return value as T;
  }
}
