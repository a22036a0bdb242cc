/**
 * Where a new block goes. One rule per command, so a researcher can tell in advance where a result lands,
 * and a block never goes inside a paragraph, list, table, blockquote/callout, fenced code or another
 * generated block: it goes after the whole of it.
 *
 * | Command                                   | The new block goes                                                   |
 * |-------------------------------------------|----------------------------------------------------------------------|
 * | Summarize with a selection                | after the block (paragraph, list, table…) holding the selection's end |
 * | Summarize without a selection             | at the end of the section holding the cursor (*)                     |
 * | Summarize Linked Paper                    | after the block (list, paragraph…) holding the link                  |
 * | Compare Linked Papers with a selection    | after the block holding the selection's end                          |
 * | Compare Linked Papers (all links)         | at the end of the section holding the cursor (*)                     |
 * | Ask About Note                            | at the end of the section holding the cursor (*)                     |
 * | Explain Term as a callout                 | after the block holding the term                                     |
 * | Explain Term as a footnote                | reference after the term, definition at the end of the note          |
 * | Draft Section for a heading               | at the end of that heading's section                                 |
 * | Draft Section for selected or cursor text | after the block holding the selection's end (or the cursor's line)   |
 * | Run Prompt… with a selection              | after the block holding the selection's end                          |
 * | Run Prompt… without a selection           | at the end of the section holding the cursor (*)                     |
 * | Any command run again on the same target  | replaces its own earlier block where it is (the user may move it)    |
 *
 * (*) A section is a heading and the text under it up to the next heading of any level, so a result never
 * lands under a sub-heading the cursor was not in. With the cursor in the front matter or on the note's
 * title line (where a freshly opened note puts it), or with no editor (the command line), the block goes
 * at the end of the note. "The end" is after the last block, before trailing footnote definitions.
 *
 * The same table is in README.md ("Where blocks go"); keep them in step.
 */
import { lineAt, parseNote, type NoteBlockSpan, type ParsedNote } from '../markdown/parseNote';
import type { OffsetRange } from '../ports/document';
import { findBlocks } from './markers';

/** How the note's text is parsed: the caller's NoteParser hands back the parse it already holds. */
export type NoteParse = (text: string) => ParsedNote;

/** A placement rule, resolved against the note's text when the block is inserted. */
export type Placement =
  /** After the top-level block holding the offset. */
  | { readonly after: 'block'; readonly at: number }
  /** At the end of the section holding the offset. */
  | { readonly after: 'section'; readonly at: number }
  /** At the end of the note. */
  | { readonly after: 'note' };

/** After the block holding the selection's last character (a selection ending at a line start ends on the line before). */
export function afterSelection(selection: OffsetRange): Placement {
  return { after: 'block', at: Math.max(selection.start, selection.end - 1) };
}

/**
 * Whole-note results: the end of the section holding the cursor; the end of the note without a cursor or
 * with the cursor in the front matter or on the title line.
 */
export function wholeNotePlacement(text: string, cursor: number | undefined, parse: NoteParse = parseNote): Placement {
  if (cursor === undefined) return { after: 'note' };
  const note = parse(text);
  const line = lineAt(note.lineStarts, Math.min(Math.max(0, cursor), text.length));
  if (line < note.bodyStartLine) return { after: 'note' };
  const title = titleSpan(note);
  if (title && line === title.startLine) return { after: 'note' };
  return { after: 'section', at: cursor };
}

/** The note's title: a level-1 heading that is the first block of the body. */
function titleSpan(note: ParsedNote): NoteBlockSpan | undefined {
  const first = note.blockSpans.find((s) => s.type !== 'frontMatter');
  return first?.type === 'heading' && first.level === 1 ? first : undefined;
}

/** The top-level blocks, each generated block (markers and everything between) counted as one. */
function spansOf(note: ParsedNote): NoteBlockSpan[] {
  const generated = findBlocks(note.text).map((b) => ({
    start: lineAt(note.lineStarts, b.start),
    // `end` is after the closing marker's line break: its line is the one before.
    end: lineAt(note.lineStarts, Math.max(b.start, b.end - 1)) + 1,
  }));
  const spans: NoteBlockSpan[] = [];
  for (const span of note.blockSpans) {
    const inside = generated.find((g) => span.startLine >= g.start && span.startLine < g.end);
    if (!inside) spans.push(span);
    else if (spans.at(-1)?.startLine !== inside.start)
      spans.push({ type: 'other', level: 0, startLine: inside.start, endLine: inside.end });
  }
  return spans;
}

/** The offset at the end of a 0-based line (before its line break). */
function endOfLine(note: ParsedNote, line: number): number {
  const next = note.lineStarts[line + 1];
  return next === undefined ? note.text.length : next - 1;
}

/** The last block of a run, leaving out trailing footnote/link definitions (they stay at the very end). */
function lastContent(spans: readonly NoteBlockSpan[]): NoteBlockSpan | undefined {
  const content = spans.filter((s) => s.type !== 'frontMatter');
  let i = content.length - 1;
  while (i > 0 && content[i]?.type === 'definitions') i -= 1;
  return content[i];
}

function noteEnd(note: ParsedNote, spans: readonly NoteBlockSpan[]): number {
  const last = lastContent(spans);
  return last ? endOfLine(note, last.endLine - 1) : note.text.length;
}

function sectionEnd(note: ParsedNote, spans: readonly NoteBlockSpan[], line: number): number {
  const headings = spans.filter((s) => s.type === 'heading');
  const own = headings.filter((h) => h.startLine <= line).at(-1);
  const from = own?.startLine ?? note.bodyStartLine;
  const next = headings.find((h) => h.startLine > from)?.startLine ?? Number.POSITIVE_INFINITY;
  const last = lastContent(spans.filter((s) => s.startLine >= from && s.startLine < next));
  return last ? endOfLine(note, last.endLine - 1) : noteEnd(note, spans);
}

function blockEnd(note: ParsedNote, spans: readonly NoteBlockSpan[], offset: number): number {
  const line = lineAt(note.lineStarts, offset);
  const holding = spans.find((s) => s.startLine <= line && line < s.endLine);
  if (holding?.type === 'frontMatter') {
    const title = titleSpan(note);
    return endOfLine(note, (title ?? holding).endLine - 1);
  }
  // On a blank line between blocks: right there, nothing is split.
  return holding ? endOfLine(note, holding.endLine - 1) : endOfLine(note, line);
}

/** The offset whose line a new block goes after (the block is inserted at the end of that line). */
export function placementOffset(text: string, placement: Placement, parse: NoteParse = parseNote): number {
  const note = parse(text);
  const spans = spansOf(note);
  const clamp = (offset: number): number => Math.min(Math.max(0, offset), text.length);
  switch (placement.after) {
    case 'note':
      return noteEnd(note, spans);
    case 'section':
      return sectionEnd(note, spans, lineAt(note.lineStarts, clamp(placement.at)));
    case 'block':
      return blockEnd(note, spans, clamp(placement.at));
  }
}
