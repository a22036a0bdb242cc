/**
 * Grounding for whole blocks and notes: finds the research blocks with the insertion layer's own
 * parser (insertion/markers.ts), checks each against the sources its marker names, and returns
 * diagnostics-ready items in note offsets plus the edits for the marker's `figures` attribute and
 * the ⚠ marks of table cells.
 */
import { findBlocks, withFiguresChecked, type FoundBlock } from '../insertion/markers';
import type { Source } from '../sources/types';
import { checkText, formatHeader, type GroundingItem } from './check';
import { buildGroundingIndex, type GroundingIndex } from './sourceIndex';
import { checkTables } from './table';

export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface BlockCheckResult {
  /** Items with offsets in the checked text (relative to the block body for checkBlock). */
  readonly items: readonly GroundingItem[];
  readonly checked: number;
  readonly supported: number;
  /** "figures checked: 11/12". */
  readonly header: string;
  /** ⚠ marks to add to (or remove from) comparison-table cells, same offsets as `items`. */
  readonly edits: readonly TextEdit[];
}

/**
 * Checks a block body. Comparison blocks: table cells against their quotes and the sources, other
 * prose as usual; every other kind: all figures and quotes.
 */
export function checkBlock(
  body: string,
  sources: readonly Source[] | GroundingIndex,
  kind: FoundBlock['kind'] | 'auto' = 'auto',
): BlockCheckResult {
  const index = Array.isArray(sources) ? buildGroundingIndex(sources as readonly Source[]) : (sources as GroundingIndex);
  const hasTable =
    kind === 'comparison' || (kind === 'auto' && /^\s*\|.*\|\s*$/mu.test(body) && /^\s*\|(?:\s*:?-+:?\s*\|)+\s*$/mu.test(body));
  if (!hasTable) {
    const r = checkText(body, index);
    return { ...r, edits: [] };
  }
  const tables = checkTables(body, index);
  // The table and its footnotes are checked cell by cell; blank them so the prose check skips them.
  let prose = body;
  for (const [s, e] of tables.tableRanges) prose = prose.slice(0, s) + ' '.repeat(e - s) + prose.slice(e);
  const rest = checkText(prose, index);
  const items = [...tables.items, ...rest.items].sort((a, b) => a.start - b.start);
  const supported = items.filter((i) => i.status === 'supported').length;
  return { items, checked: items.length, supported, header: formatHeader(supported, items.length), edits: tables.edits };
}

export interface ResearchBlock {
  readonly block: FoundBlock;
  /** Offsets of the body (between the markers) in the note. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

/** Research blocks of a note with the range of their bodies. */
export function findResearchBlocks(noteText: string): ResearchBlock[] {
  return findBlocks(noteText).map((block) => {
    const bodyStart = noteText.indexOf('-->', block.start) + 3;
    return { block, bodyStart, bodyEnd: bodyStart + block.content.length };
  });
}

/** The block containing `offset` (a cursor), if any. */
export function blockAt(noteText: string, offset: number): ResearchBlock | undefined {
  return findResearchBlocks(noteText).find((b) => offset >= b.block.start && offset <= b.block.end);
}

export interface NoteBlockCheck extends BlockCheckResult {
  readonly block: ResearchBlock;
  /** The marker edit that records "figures" (undefined when it already says the same). */
  readonly headerEdit?: TextEdit;
}

/**
 * Checks one block of a note; item and edit offsets are in the note. `sources` are the block's
 * sources (resolved by the caller from `block.attributes.sources`).
 */
export function checkNoteBlock(noteText: string, rb: ResearchBlock, sources: readonly Source[] | GroundingIndex): NoteBlockCheck {
  const r = checkBlock(rb.block.content, sources, rb.block.kind);
  const shift = rb.bodyStart;
  const items = r.items.map((i) => ({ ...i, start: i.start + shift, end: i.end + shift }));
  const edits = r.edits.map((e) => ({ start: e.start + shift, end: e.end + shift, text: e.text }));
  const figures = `${r.supported}/${r.checked}`;
  const headerEdit =
    rb.block.attributes.figures === figures ? undefined : withFiguresChecked(noteText, rb.block.start, r.supported, r.checked);
  return { ...r, items, edits, block: rb, ...(headerEdit === undefined ? {} : { headerEdit }) };
}
