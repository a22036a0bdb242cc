import type { SourceSection } from '../sources/types';
import type { NoteHeading, ParsedNote } from './parseNote';

function linesText(note: ParsedNote, startLine: number, endLine: number): string {
  const start = note.lineStarts[startLine] ?? note.text.length;
  const end = note.lineStarts[endLine] ?? note.text.length;
  return note.text.slice(start, end).replace(/\s+$/, '');
}

/** Obsidian matches heading anchors loosely: case and punctuation do not matter. */
export function normaliseHeading(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function findHeading(note: ParsedNote, heading: string): NoteHeading | undefined {
  const wanted = normaliseHeading(heading);
  return note.headings.find((h) => normaliseHeading(h.text) === wanted);
}

/** The text of a heading's section (the heading line up to the next heading of the same or higher level). */
export function headingSection(note: ParsedNote, heading: string): { text: string; line: number; title: string } | undefined {
  const h = findHeading(note, heading);
  if (!h) return undefined;
  return { text: linesText(note, h.line, h.endLine), line: h.line, title: h.text };
}

/** The text of the block carrying `^id`, without the id marker. */
export function blockSection(note: ParsedNote, id: string): { text: string; line: number } | undefined {
  const block = note.blocks.find((b) => b.id.toLowerCase() === id.toLowerCase());
  if (!block) return undefined;
  const text = linesText(note, block.startLine, block.endLine).replace(new RegExp(`\\s\\^${id}\\s*$`, 'im'), '');
  return { text, line: block.startLine };
}

/** The note body (front matter left out) split along its headings, for budget splitting and citations. */
export function noteSections(note: ParsedNote, fallbackTitle: string): SourceSection[] {
  const sections: SourceSection[] = [];
  const bodyEnd = note.lineStarts.length;
  const firstHeading = note.headings[0]?.line ?? bodyEnd;
  if (firstHeading > note.bodyStartLine) {
    const text = linesText(note, note.bodyStartLine, firstHeading);
    if (text.trim() !== '') sections.push({ title: fallbackTitle, level: 0, text, location: { line: note.bodyStartLine }, role: 'body' });
  }
  note.headings.forEach((h, i) => {
    // Each heading's own text up to the next heading of any level, so sections do not overlap.
    const next = note.headings[i + 1]?.line ?? bodyEnd;
    const text = linesText(note, h.line, next);
    sections.push({
      title: h.text,
      level: h.level,
      text,
      location: { line: h.line, heading: h.text },
      role: isReferencesTitle(h.text) ? 'references' : 'body',
    });
  });
  return sections;
}

/** Reference-list headings in English and Chinese (notes and PDFs alike). */
export function isReferencesTitle(title: string): boolean {
  const t = title
    .normalize('NFKC')
    .trim()
    .replace(/^[\dIVX]+(\.\d+)*\.?\s+/, '')
    .replace(/[:.]$/, '')
    .toLowerCase();
  return /^(references?|bibliography|literature cited|works cited|reference list|cited literature|参考文献|引用文献)$/.test(t);
}
