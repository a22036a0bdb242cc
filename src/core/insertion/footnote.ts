/**
 * Explain Term as a markdown footnote: `[^term]` right after the term, the definition at the end
 * of the note; an existing definition for the same term is reused (replaced), not duplicated.
 */
import type { TextEditOp } from './editPlan';

/** A footnote label from a term: lowercase, spaces to dashes, CJK kept (Obsidian and markdown-it accept it). */
export function footnoteLabel(term: string): string {
  const label = term
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/[^\p{L}\p{N}-]/gu, '')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return label || 'term';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The range of an existing definition `[^label]: …` (with its indented continuation lines). */
export function findFootnoteDefinition(text: string, label: string): { start: number; end: number } | undefined {
  const re = new RegExp(`^\\[\\^${escapeRegExp(label)}\\]:[^\\n]*(?:\\n(?:[ \\t]{2,}|\\t)[^\\n]*)*`, 'm');
  const m = re.exec(text);
  return m ? { start: m.index, end: m.index + m[0].length } : undefined;
}

/**
 * Edits that add (or refresh) the footnote for a term at [termStart, termEnd): a reference after
 * the term unless it already has one, and the definition at the end of the note (or in place of
 * the old one). The definition's continuation lines are indented so multi-line text stays in it.
 */
export function planFootnote(text: string, termEnd: number, label: string, definition: string): TextEditOp[] {
  const edits: TextEditOp[] = [];
  const ref = `[^${label}]`;
  if (text.slice(termEnd, termEnd + ref.length) !== ref) edits.push({ start: termEnd, end: termEnd, text: ref });
  const body = definition
    .trim()
    .split('\n')
    .map((l, i) => (i === 0 || l.length === 0 ? l : `    ${l}`))
    .join('\n');
  const def = `${ref}: ${body}`;
  const existing = findFootnoteDefinition(text, label);
  if (existing) {
    edits.push({ start: existing.start, end: existing.end, text: def });
  } else {
    const trailing = /\n*$/.exec(text)?.[0].length ?? 0;
    const at = text.length - trailing;
    edits.push({ start: at, end: text.length, text: `${at > 0 ? '\n\n' : ''}${def}\n` });
  }
  return edits;
}
