/**
 * Cuts a read source into the passages the library indexes: each within one page and one section, a few hundred
 * tokens, overlapping its neighbour by a sentence or two so that an answer straddling a cut is still found whole.
 */
import { estimateTokens } from '../llm/tokens';
import type { Source, SourceSection } from '../sources/types';
import type { Chunk } from './types';

export interface ChunkOptions {
  /** The file's workspace-relative path (shown, cited, and the prefix of chunk ids). */
  readonly path: string;
  /** Largest passage, in estimated tokens (default 320). */
  readonly maxTokens?: number;
  /** Text repeated from the end of the previous passage, in estimated tokens (default 48). */
  readonly overlapTokens?: number;
}

export const DEFAULT_CHUNK_TOKENS = 320;
export const DEFAULT_OVERLAP_TOKENS = 48;

/** A stretch of a section on one page, located in the source's text. */
interface Segment {
  readonly start: number;
  readonly end: number;
  readonly page?: number;
  readonly section?: string;
}

/** A sentence (or a hard cut of an overlong one) with its place in the source's text. */
interface Unit {
  readonly start: number;
  readonly end: number;
  readonly tokens: number;
}

const PAGE_MARKER = /\[page (\d+)\]/g;
/**
 * Sentence ends: Latin punctuation before a space, CJK punctuation anywhere (Chinese has no spaces), or a blank
 * line. Lazy, so each match is one sentence.
 */
const SENTENCE = /[\s\S]*?(?:[.!?]["')\]]*(?=\s|$)|[。！？；]["'」』”）)]*|\n\s*\n|$)/gu;

/**
 * The passages of a readable source. The references section is left out: its lines are titles of other papers
 * and would answer every query about their topics while saying nothing about them.
 */
export function chunkSource(source: Source, options: ChunkOptions): Chunk[] {
  if (source.status !== 'ok' || source.text.trim() === '') return [];
  const maxTokens = Math.max(32, options.maxTokens ?? DEFAULT_CHUNK_TOKENS);
  const overlap = Math.max(0, Math.min(options.overlapTokens ?? DEFAULT_OVERLAP_TOKENS, Math.floor(maxTokens / 3)));
  const chunks: Chunk[] = [];
  for (const segment of segmentsOf(source)) {
    for (const [start, end] of pack(unitsOf(source.text, segment, maxTokens), maxTokens, overlap)) {
      const text = source.text.slice(start, end).trim();
      if (text === '') continue;
      chunks.push({
        id: `${options.path}#${chunks.length}`,
        uri: source.uri,
        path: options.path,
        ...(segment.page === undefined ? {} : { page: segment.page }),
        ...(segment.section === undefined ? {} : { section: segment.section }),
        start,
        end,
        text,
      });
    }
  }
  return chunks;
}

/** The body sections located in the text and cut at page markers; the whole text when there are no sections. */
function segmentsOf(source: Source): Segment[] {
  const { text } = source;
  const sections: readonly SourceSection[] =
    source.sections.length > 0 ? source.sections : [{ title: '', level: 0, text, location: {}, role: 'body' }];
  const segments: Segment[] = [];
  let cursor = 0;
  for (const section of sections) {
    const located = locate(text, section.text, cursor);
    if (!located) continue;
    cursor = located.end;
    if (section.role === 'references') continue;
    const title = section.title.trim() === '' ? undefined : section.title;
    let page = section.location.page;
    let from = located.start;
    PAGE_MARKER.lastIndex = from;
    for (let m = PAGE_MARKER.exec(text); m && m.index < located.end; m = PAGE_MARKER.exec(text)) {
      push(segments, from, m.index, page, title);
      page = Number(m[1]);
      from = m.index + m[0].length;
    }
    push(segments, from, located.end, page, title);
  }
  return segments;
}

function push(segments: Segment[], start: number, end: number, page: number | undefined, section: string | undefined): void {
  if (end <= start) return;
  segments.push({ start, end, ...(page === undefined ? {} : { page }), ...(section === undefined ? {} : { section }) });
}

/**
 * Where a section's text sits in the source's text. PDF sections are slices of the text, repeating the page
 * marker of the page they start on; a section not found as is (a reader that rebuilt it) is skipped rather than
 * given offsets that point elsewhere.
 */
function locate(text: string, sectionText: string, cursor: number): { start: number; end: number } | undefined {
  const body = sectionText.replace(/^\s*\[page \d+\]\s*/, '');
  if (body.trim() === '') return undefined;
  let at = text.indexOf(body, cursor);
  if (at < 0) at = text.indexOf(body);
  if (at < 0) return undefined;
  // The marker the section repeats belongs to it when it sits right before the body.
  const before = text.slice(Math.max(0, at - 24), at);
  const marker = /\[page \d+\]\s*$/.exec(before);
  const start = marker ? at - (before.length - marker.index) : at;
  return { start, end: at + body.length };
}

/** A segment's sentences, each within the passage budget (an overlong one cut by characters). */
function unitsOf(text: string, segment: Segment, maxTokens: number): Unit[] {
  const units: Unit[] = [];
  const slice = text.slice(segment.start, segment.end);
  SENTENCE.lastIndex = 0;
  for (let m = SENTENCE.exec(slice); m && m.index < slice.length; m = SENTENCE.exec(slice)) {
    if (m[0] === '') {
      SENTENCE.lastIndex++;
      continue;
    }
    const start = segment.start + m.index;
    const sentence = m[0];
    const tokens = estimateTokens(sentence);
    if (tokens <= maxTokens) {
      if (sentence.trim() !== '') units.push({ start, end: start + sentence.length, tokens });
      continue;
    }
    // Characters per cut such that even all-CJK text stays within the budget (about one token per character).
    const size = Math.max(1, Math.floor((maxTokens * 10) / 11));
    for (let i = 0; i < sentence.length; i += size) {
      const piece = sentence.slice(i, i + size);
      if (piece.trim() !== '') units.push({ start: start + i, end: start + i + piece.length, tokens: estimateTokens(piece) });
    }
  }
  return units;
}

/** Packs sentences into passages of at most `maxTokens`, each starting with the last `overlap` tokens of the previous. */
function pack(units: readonly Unit[], maxTokens: number, overlap: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let first = 0;
  while (first < units.length) {
    let last = first;
    let tokens = (units[first] as Unit).tokens;
    while (last + 1 < units.length && tokens + (units[last + 1] as Unit).tokens <= maxTokens) {
      last++;
      tokens += (units[last] as Unit).tokens;
    }
    out.push([(units[first] as Unit).start, (units[last] as Unit).end]);
    if (last + 1 >= units.length) break;
    // The next passage starts a few sentences back, but always moves forward.
    let next = last + 1;
    let carried = 0;
    while (next - 1 > first && carried + (units[next - 1] as Unit).tokens <= overlap) {
      next--;
      carried += (units[next] as Unit).tokens;
    }
    first = next;
  }
  return out;
}
