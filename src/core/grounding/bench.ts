/**
 * Timing entry for `npm run bench` (the bench engineer's harness calls this; no assertions here):
 * builds the index of `sources` once, then checks `text` `runs` times and reports the median.
 */
import type { Source } from '../sources/types';
import { checkText } from './check';
import { buildGroundingIndex } from './sourceIndex';

export interface GroundingBenchResult {
  /** Building the index of the sources (once per block's sources; cached by the adapter). */
  readonly indexMs: number;
  /** Median time of one check of `text` against the built index. */
  readonly checkMs: number;
  readonly sourceChars: number;
  readonly words: number;
  readonly items: number;
  readonly supported: number;
}

export function benchGrounding(sources: readonly Source[], text: string, runs = 5): GroundingBenchResult {
  const index = buildGroundingIndex(sources);
  const times: number[] = [];
  let last = checkText(text, index);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = checkText(text, index);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    indexMs: index.buildMs,
    checkMs: times[Math.floor(times.length / 2)] ?? 0,
    sourceChars: sources.reduce((n, s) => n + s.text.length, 0),
    words: text.split(/\s+/u).filter(Boolean).length,
    items: last.checked,
    supported: last.supported,
  };
}
