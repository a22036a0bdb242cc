/**
 * The YAML front matter of a per-paper note: what the paper states about itself (title, authors, year, DOI,
 * citekey), where the PDF is, and which model wrote the note when. Written with the `yaml` library so titles
 * with colons, quotes, `#` or Chinese are quoted exactly as YAML needs; fields nobody stated are left out.
 */
import { Document, isMap, parseDocument, Scalar, visit } from 'yaml';
import type { PaperMetadata } from './metadata';

export interface FrontMatterInput {
  readonly metadata: PaperMetadata;
  /** The PDF's workspace-relative path, with forward slashes. */
  readonly source: string;
  /** The model that wrote the note (as the server names it). */
  readonly model?: string;
  /** The day the note was written, `YYYY-MM-DD`. */
  readonly date: string;
  /** Where the note stands, e.g. `unread`, `summarised`, `failed`. */
  readonly status: string;
}

/** Words that YAML 1.1 readers (still common in note apps) take for booleans when left unquoted. */
const YAML11_BOOLEAN = /^(y|yes|n|no|on|off)$/i;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The front matter block, `---` lines included, ending with a newline. */
export function renderFrontMatter(input: FrontMatterInput): string {
  const { metadata: m } = input;
  const fields: Record<string, unknown> = {};
  if (m.title !== undefined && oneLine(m.title) !== '') fields['title'] = oneLine(m.title);
  if (m.authors && m.authors.length > 0) fields['authors'] = m.authors.map(oneLine);
  if (m.year !== undefined) fields['year'] = m.year;
  if (m.doi !== undefined) fields['doi'] = m.doi;
  if (m.citekey !== undefined) fields['citekey'] = m.citekey;
  fields['source'] = input.source;
  if (input.model !== undefined && input.model !== '') fields['model'] = input.model;
  fields['date'] = input.date;
  fields['status'] = input.status;
  const doc = new Document(fields);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && YAML11_BOOLEAN.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // lineWidth 0: a long title stays on one line rather than being folded.
  return `---\n${doc.toString({ lineWidth: 0 })}---\n`;
}

/**
 * The fields of a note's front matter, or undefined when the text has none or it is not valid YAML (a note
 * edited by hand is read, never overwritten on a guess).
 */
export function parseFrontMatter(text: string): Record<string, unknown> | undefined {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(text);
  if (!match) return undefined;
  const doc = parseDocument(match[1] ?? '');
  if (doc.errors.length > 0) return undefined;
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

/**
 * A re-read paper's note: the fields that say who wrote the note when (`model`, `date`, `status`) are set anew;
 * every other field, the user's own included, keeps its value and place. A note without readable front matter is
 * left as it is.
 */
export function refreshFrontMatter(
  text: string,
  fields: { readonly model?: string; readonly date: string; readonly status: string },
): string {
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)/.exec(text);
  if (!match) return text;
  const doc = parseDocument(match[1] ?? '');
  if (doc.errors.length > 0 || !isMap(doc.contents)) return text;
  if (fields.model !== undefined) doc.set('model', fields.model);
  doc.set('date', fields.date);
  doc.set('status', fields.status);
  const body = doc.toString({ lineWidth: 0 }).replace(/\n+$/, '');
  return `---\n${body}\n---${match[2] ?? '\n'}${text.slice(match[0].length)}`;
}
