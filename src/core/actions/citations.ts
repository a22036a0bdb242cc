/**
 * How answers and drafts cite: with the note's own syntax for each source (its link as written,
 * or its citekey), so citations in the output work in the user's vault.
 */
import type { Source } from '../sources/types';

/** "[@smith2020]", "[[paper.pdf]]" or the title in brackets when the note does not link it. */
export function citationFor(source: Source): string {
  // A library passage carries its citation (paper and page in the note's syntax).
  if ('citation' in source && typeof source.citation === 'string') return source.citation;
  if (source.link?.citekey) return `[@${source.link.citekey}]`;
  if (source.link?.raw) return source.link.raw.replace(/^!/, '');
  if (source.kind === 'note' || source.kind === 'selection') return '(this note)';
  return `[${source.title}]`;
}

/** One line per source: which id cites as what (a template variable). */
export function citationList(sources: readonly Source[]): string {
  return sources
    .filter((s) => s.status === 'ok')
    .map((s) => `- source id "${s.id}" → cite as ${citationFor(s)}`)
    .join('\n');
}
