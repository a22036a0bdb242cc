/**
 * State of one streamed insertion, host-neutral so the tricky parts are unit-tested:
 * - the streamed range follows the user's edits elsewhere (anchor.ts);
 * - each batch sends only the tail that changed (diffEdit);
 * - the adapter's own edits are recognised when their change event comes back, everything else is the user;
 * - the end is two edits: remove the streamed text, then insert the final block as the last, separate edit,
 *   so a single Undo removes exactly the insertion and keeps what the user typed meanwhile (an undo that takes the
 *   user's own typing with it is what users of other tools complain about).
 */
import { diffEdit, renderBlock, type BlockSpec } from './block';
import { mapRangeThrough, type ContentChange, type TrackedRange } from './anchor';
import type { TextEditOp } from './editPlan';
import { findOwnBlock, type FoundBlock } from './markers';

/** Where a new block goes, or which block it replaces. */
export interface InsertionTarget {
  /** Offset where the streamed text is inserted. */
  readonly insertAt: number;
  /** Text placed before the block when it is new (blank line after the anchor line). */
  readonly prefix: string;
  /** The block this run replaces at the end (a re-run of the same command on the same target). */
  readonly replace?: TrackedRange;
}

/** Offset of the end of the line holding `offset` (before its line break). */
export function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl;
}

/**
 * The insertion target for a block of `kind`/`target` anchored after the line holding `anchorOffset`.
 * An existing own block is replaced in place; a new block goes after the anchor line, but never
 * inside another block (it goes after that block instead).
 */
export function planTarget(
  text: string,
  spec: Pick<BlockSpec, 'kind'> & { readonly target: string },
  anchorOffset: number,
): InsertionTarget & { readonly existing?: FoundBlock } {
  const own = findOwnBlock(text, spec.kind, spec.target);
  if (own)
    return {
      insertAt: own.end,
      prefix: own.end > 0 && text[own.end - 1] !== '\n' ? '\n' : '',
      replace: { start: own.start, end: own.end },
      existing: own,
    };
  let at = lineEnd(text, Math.min(Math.max(0, anchorOffset), text.length));
  // Inside a front matter block or another block: move after it, so markdown stays valid.
  const fm = /^---\n[\s\S]*?\n---(?:\n|$)/.exec(text);
  if (fm && at < fm[0].length) {
    // The cursor in the front matter (a freshly opened note) stands for the top of the body: after the
    // note's title heading when the body starts with one, not between the front matter and the title.
    at = lineEnd(text, fm[0].length - 1);
    const title = /^(?:[ \t]*\n)*(#{1,6}[ \t][^\n]*)/.exec(text.slice(at + 1));
    if (title) at = lineEnd(text, at + 1 + title[0].length - 1);
  }
  const blockRe = /<!-- research:([a-z]+) [^\n]*-->/g;
  for (const m of text.matchAll(blockRe)) {
    const start = m.index ?? 0;
    const close = text.indexOf(`<!-- /research:${m[1] ?? ''} -->`, start);
    if (close >= 0 && at >= start && at < close + 1) at = lineEnd(text, close);
  }
  // One blank line before the block: two line breaks after a text line, one after a blank line, none at the start.
  const before = text.slice(Math.max(0, at - 2), at);
  const prefix = at === 0 ? '' : before.endsWith('\n') ? (before === '\n\n' ? '' : '\n') : '\n\n';
  return { insertAt: at, prefix };
}

export class StreamingInsertion {
  private range: TrackedRange;
  private replaced: TrackedRange | undefined;
  /** What the streamed range holds now; undefined when the user edited inside it (unknown content). */
  private displayed: string | undefined = '';
  private body = '';
  private pending: { readonly change: ContentChange; readonly displayed: string } | undefined;
  private userTouched = false;

  constructor(
    private readonly spec: BlockSpec,
    private readonly target: InsertionTarget,
  ) {
    this.range = { start: target.insertAt, end: target.insertAt };
    this.replaced = target.replace;
  }

  /** Current streamed range (absolute offsets in the live document). */
  get streamedRange(): TrackedRange {
    return this.range;
  }

  /** True when the user edited inside the streamed text (their edit there is overwritten). */
  get touched(): boolean {
    return this.userTouched;
  }

  get text(): string {
    return this.body;
  }

  append(delta: string): void {
    this.body += delta;
  }

  /** Everything the document should show for the current body while streaming. */
  private rendered(): string {
    const block = renderBlock(this.spec, this.body);
    // A new block: "\n\n<block>" without its final line break, so the line after the anchor keeps its place.
    return this.target.replace ? block : this.target.prefix + block.slice(0, -1);
  }

  /** The next batch edit, or undefined when the document is up to date or an edit is in flight. */
  takeEdit(): TextEditOp | undefined {
    if (this.pending) return undefined;
    const next = this.rendered();
    let edit: TextEditOp;
    if (this.displayed === undefined) {
      edit = { start: this.range.start, end: this.range.end, text: next };
    } else {
      const d = diffEdit(this.displayed, next);
      if (!d) return undefined;
      edit = { start: this.range.start + d.start, end: this.range.start + d.end, text: d.text };
    }
    this.pending = { change: { offset: edit.start, length: edit.end - edit.start, text: edit.text }, displayed: next };
    return edit;
  }

  /** The adapter could not apply the last edit (document changed meanwhile): it is recomputed next time. */
  editFailed(): void {
    this.pending = undefined;
  }

  /** Every content change of the document, ours included, in order. */
  onChanges(changes: readonly ContentChange[]): void {
    const p = this.pending;
    const only = changes.length === 1 ? changes[0] : undefined;
    if (
      p &&
      only &&
      only.offset === p.change.offset &&
      only.length === p.change.length &&
      only.text.replace(/\r\n/g, '\n') === p.change.text
    ) {
      this.range = { start: this.range.start, end: this.range.end + only.text.length - only.length };
      this.displayed = p.displayed;
      this.pending = undefined;
      return;
    }
    const mapped = mapRangeThrough(this.range, changes);
    this.range = { start: mapped.start, end: mapped.end };
    if (mapped.touched) {
      this.userTouched = true;
      this.displayed = undefined;
    }
    if (this.replaced) {
      const r = mapRangeThrough(this.replaced, changes);
      this.replaced = { start: r.start, end: r.end };
    }
  }

  /** Edit 1 of the end: remove the streamed text (undefined when nothing is shown). */
  removal(): TextEditOp | undefined {
    if (this.range.end <= this.range.start) return undefined;
    const edit = { start: this.range.start, end: this.range.end, text: '' };
    this.pending = { change: { offset: edit.start, length: edit.end - edit.start, text: '' }, displayed: '' };
    return edit;
  }

  /**
   * Edit 2 of the end, computed after the removal was applied: the final block, as one edit.
   * `incomplete` keeps a cancelled block marked "(incomplete)".
   */
  finalInsert(finalBody: string, incomplete = false, finalSpec: BlockSpec = this.spec): TextEditOp {
    const spec: BlockSpec = incomplete ? { ...finalSpec, attributes: { ...finalSpec.attributes, incomplete: true } } : finalSpec;
    const block = renderBlock(spec, finalBody);
    if (this.replaced) return { start: this.replaced.start, end: this.replaced.end, text: block };
    return { start: this.range.start, end: this.range.start, text: this.target.prefix + block.slice(0, -1) };
  }
}
