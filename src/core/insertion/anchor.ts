/**
 * Anchor tracking: the streamed block's range follows the user's edits elsewhere in the document
 * (tools that insert at a fixed offset write into the middle of what the user typed meanwhile). Pure offset
 * math; the adapter feeds it every content change.
 */
export interface TrackedRange {
  readonly start: number;
  readonly end: number;
}

/** One content change as VS Code reports it: `rangeOffset`, `rangeLength`, new `text`. */
export interface ContentChange {
  readonly offset: number;
  readonly length: number;
  readonly text: string;
}

export interface MappedRange extends TrackedRange {
  /** True when the change touched the inside of the range (the user edited the streamed block). */
  readonly touched: boolean;
}

/**
 * Maps a range through a change that is not ours. A change ending at or before `start` shifts the
 * range (typing right before the anchor pushes the block down, it never lands inside it); a change
 * starting at or after `end` leaves it; an overlapping change clamps to the surviving text.
 */
export function mapRange(range: TrackedRange, change: ContentChange): MappedRange {
  const cStart = change.offset;
  const cEnd = change.offset + change.length;
  const delta = change.text.length - change.length;
  if (cEnd <= range.start) return { start: range.start + delta, end: range.end + delta, touched: false };
  if (cStart >= range.end) return { start: range.start, end: range.end, touched: false };
  // Overlap: keep what survives of the range; replacement text that starts before the range goes before it.
  const start = cStart < range.start ? cStart + change.text.length : range.start;
  const end = cEnd < range.end ? range.end + delta : cStart >= range.start ? cStart + change.text.length : start;
  return { start, end: Math.max(start, end), touched: true };
}

/** Maps a range through several changes reported in one event (VS Code lists them in document order, applied together). */
export function mapRangeThrough(range: TrackedRange, changes: readonly ContentChange[]): MappedRange {
  // Apply from the last change backwards, so earlier offsets stay valid (they refer to the old text).
  const sorted = [...changes].sort((a, b) => b.offset - a.offset);
  let current: MappedRange = { ...range, touched: false };
  for (const c of sorted) {
    const next = mapRange(current, c);
    current = { start: next.start, end: next.end, touched: current.touched || next.touched };
  }
  return current;
}

/** Maps a single offset (an insertion point) through a change; text inserted exactly at it goes before. */
export function mapOffset(offset: number, change: ContentChange): number {
  const cEnd = change.offset + change.length;
  if (cEnd <= offset) return offset + change.text.length - change.length;
  if (change.offset >= offset) return offset;
  // The offset was inside deleted text: move it to the end of the replacement.
  return change.offset + change.text.length;
}
