/**
 * Find Related Papers: the library's papers ranked by how well their passages match the selection, the
 * paragraph at the cursor or the whole note, each with its best passage and a link in the note's syntax.
 * Returns data; the host shows it (a quick pick in VS Code, a list in the CLI) and inserts the links chosen.
 */
import { stripBlocks } from '../insertion/markers';
import type { Library, Passage } from '../library/types';
import type { NoteLink } from '../markdown/links';
import type { NoteDocument, OffsetRange } from '../ports/document';
import { basename, uriKey } from '../sources/uri';
import { linkInSyntax, noteLinkSyntax } from './libraryContext';

export interface RelatedOptions {
  readonly selection?: OffsetRange;
  readonly cursor?: number;
  /** What to match: default the selection when there is one, else the paragraph at the cursor, else the note. */
  readonly of?: 'selection' | 'paragraph' | 'note';
  /** Papers returned (default 10). */
  readonly limit?: number;
  readonly signal: AbortSignal;
}

export interface RelatedPaper {
  readonly uri: string;
  /** Workspace-relative path. */
  readonly path: string;
  /** The best passage's score (comparable only within one result list). */
  readonly score: number;
  readonly passage: Passage;
  /** The link to insert, in the note's syntax, to the best passage's page. */
  readonly link: string;
  /** The note links this paper already. */
  readonly linked: boolean;
}

export interface RelatedResult {
  /** What was matched. */
  readonly of: 'selection' | 'paragraph' | 'note';
  readonly papers: readonly RelatedPaper[];
}

/** A query stays this short: a whole note's first few paragraphs say what it is about. */
const MAX_QUERY_CHARS = 2000;

/** The paragraph (between blank lines) holding the offset. */
export function paragraphAt(text: string, offset: number): string {
  const at = Math.max(0, Math.min(offset, text.length));
  const before = text.lastIndexOf('\n\n', Math.max(0, at - 1));
  const after = text.indexOf('\n\n', at);
  return text.slice(before < 0 ? 0 : before + 2, after < 0 ? text.length : after).trim();
}

/** Markdown reduced to its words: no front matter, no assistant blocks, links as their text. */
function plainText(text: string): string {
  return stripBlocks(text)
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/!?\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]+))?\]\]/g, (_m, target: string, alias?: string) => alias ?? target)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[#>*_`|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A whole note as a search query: its words, without markup, the assistant's blocks or front matter. */
export function relatedQuery(text: string): string {
  return plainText(text).slice(0, MAX_QUERY_CHARS);
}

export interface RelatedDeps {
  readonly library: Library;
  readonly links: readonly NoteLink[];
  readonly citekeys?: (signal: AbortSignal) => Promise<ReadonlyMap<string, string>>;
}

export async function findRelated(deps: RelatedDeps, note: NoteDocument, options: RelatedOptions): Promise<RelatedResult> {
  const text = note.getText();
  const selection = options.selection && options.selection.end > options.selection.start ? options.selection : undefined;
  const of =
    options.of ?? (selection ? 'selection' : options.cursor !== undefined && paragraphAt(text, options.cursor) ? 'paragraph' : 'note');
  const raw =
    of === 'selection' && selection
      ? text.slice(selection.start, selection.end)
      : of === 'paragraph'
        ? paragraphAt(text, options.cursor ?? 0)
        : text;
  const query = relatedQuery(raw);
  if (!query) return { of, papers: [] };
  const limit = options.limit ?? 10;
  // Several passages per paper come back: ask for enough to fill `limit` papers.
  const passages = await deps.library.search(query, { limit: limit * 5, signal: options.signal });
  const best = new Map<string, Passage>();
  for (const p of passages) {
    const key = uriKey(p.uri);
    if (key === uriKey(note.uri)) continue;
    const held = best.get(key);
    if (!held || p.score > held.score) best.set(key, p);
  }
  const ranked = [...best.values()].sort((a, b) => b.score - a.score).slice(0, limit);
  const syntax = noteLinkSyntax(deps.links);
  const keys = syntax === 'citekey' && deps.citekeys ? await deps.citekeys(options.signal) : new Map<string, string>();
  const linkedNames = new Set(deps.links.filter((l) => l.citekey === undefined).map((l) => basename(`file:///${l.target}`).toLowerCase()));
  const linkedKeys = new Set(deps.links.flatMap((l) => (l.citekey !== undefined ? [l.citekey] : [])));
  return {
    of,
    papers: ranked.map((p) => {
      const citekey = keys.get(uriKey(p.uri));
      return {
        uri: p.uri,
        path: p.path,
        score: p.score,
        passage: p,
        link: linkInSyntax(syntax, note.uri, {
          uri: p.uri,
          path: p.path,
          ...(p.page !== undefined ? { page: p.page } : {}),
          ...(citekey ? { citekey } : {}),
        }),
        linked: linkedNames.has(basename(p.uri).toLowerCase()) || (citekey !== undefined && linkedKeys.has(citekey)),
      };
    }),
  };
}
