/**
 * The core returns edit plans and the host applies them, so the core never needs an editor API.
 * Offsets are into the document text at `documentVersion`.
 */
export interface TextEditOp {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface EditPlan {
  readonly documentVersion: number;
  /** Non-overlapping edits, any order; the adapter applies them as one WorkspaceEdit (one undo step). */
  readonly edits: readonly TextEditOp[];
}

/** Applies edits to a string (tests, and the adapter's expected-result check). */
export function applyEdits(text: string, edits: readonly TextEditOp[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
