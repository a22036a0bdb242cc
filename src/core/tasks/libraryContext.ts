/**
 * Library passages as sources a task sends, cites and checks figures against; which passages count as
 * relevant; and how the note writes a link to a page of a paper (its own syntax), so citations work in the
 * user's vault.
 */
import type { ActionResult, TextSink } from '../actions/context';
import type { Library, Passage } from '../library/types';
import { estimateTokens } from '../llm/tokens';
import type { NoteLink } from '../markdown/links';
import type { Source, SourceKind } from '../sources/types';
import { dirname, extname, uriKey, uriPath } from '../sources/uri';

/** How a note links papers: Obsidian wikilinks, markdown links, or Pandoc citekeys. */
export type LinkSyntax = 'wikilink' | 'markdown' | 'citekey';

/** The syntax most of the note's links use; wikilinks for a note without links (the vault default). */
export function noteLinkSyntax(links: readonly NoteLink[]): LinkSyntax {
  const count = { wikilink: 0, markdown: 0, citekey: 0 };
  for (const l of links) {
    if (l.external) continue;
    if (l.citekey !== undefined) count.citekey += 1;
    else if (l.form === 'wikilink' || l.form === 'embed') count.wikilink += 1;
    else if (l.form === 'markdown' || l.form === 'image') count.markdown += 1;
  }
  // Ties go to wikilinks, then markdown links: a note with one citekey among many file links keeps file links.
  if (count.citekey > count.wikilink && count.citekey > count.markdown) return 'citekey';
  return count.markdown > count.wikilink ? 'markdown' : 'wikilink';
}

/** Where a paper sits and how to name it in a link. */
export interface LinkTargetInfo {
  readonly uri: string;
  /** Workspace-relative path. */
  readonly path: string;
  readonly page?: number;
  /** The paper's citekey in the note's bibliography, when it has one. */
  readonly citekey?: string;
}

/** The path from the note's folder to the file, with `../` as needed. */
export function relativeToNote(noteUri: string, fileUri: string): string {
  const from = uriPath(dirname(noteUri)).split('/').filter(Boolean);
  const to = uriPath(fileUri).split('/').filter(Boolean);
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common += 1;
  return [...from.slice(common).map(() => '..'), ...to.slice(common)].join('/');
}

/**
 * A link to the paper (and page) in the note's syntax: `[[papers/x.pdf#page=4]]`, `[x.pdf](papers/x.pdf#page=4)`
 * or `[@key, p. 4]`. A paper without a citekey is linked as a file even in a note that cites by key.
 */
export function linkInSyntax(syntax: LinkSyntax, noteUri: string, target: LinkTargetInfo): string {
  const anchor = target.page !== undefined ? `#page=${target.page}` : '';
  if (syntax === 'citekey' && target.citekey)
    return target.page !== undefined ? `[@${target.citekey}, p. ${target.page}]` : `[@${target.citekey}]`;
  const sameFolder = uriKey(dirname(noteUri)) === uriKey(dirname(target.uri));
  const name = target.path.slice(target.path.lastIndexOf('/') + 1);
  if (syntax === 'markdown') {
    const relative = relativeToNote(noteUri, target.uri)
      .split('/')
      .map((part) => encodeURIComponent(part))
      .join('/');
    return `[${name.replace(/[[\]]/g, '')}](${relative}${anchor})`;
  }
  // Obsidian reads a wikilink path from the vault root; a file beside the note is named alone.
  return `[[${sameFolder ? name : target.path}${anchor}]]`;
}

function kindOf(path: string): SourceKind {
  const ext = extname(path);
  if (ext === '.pdf') return 'pdf';
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  return 'text';
}

/** Passage ids: the path with its page (and a counter when two passages share a page). */
function passageIds(passages: readonly Passage[]): string[] {
  const seen = new Map<string, number>();
  return passages.map((p) => {
    const base = p.page !== undefined ? `${p.path}#page=${p.page}` : p.section ? `${p.path}#${p.section}` : p.path;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

/** A retrieved passage as a source: the text the model sees and the figures are checked against. */
export interface PassageSource extends Source {
  readonly passage: Passage;
  /** How the note cites this passage. */
  readonly citation: string;
}

export function passageSources(
  passages: readonly Passage[],
  noteUri: string,
  syntax: LinkSyntax,
  citekeys: ReadonlyMap<string, string>,
): PassageSource[] {
  const ids = passageIds(passages);
  return passages.map((p, i) => {
    const citekey = citekeys.get(uriKey(p.uri));
    const citation = linkInSyntax(syntax, noteUri, {
      uri: p.uri,
      path: p.path,
      ...(p.page !== undefined ? { page: p.page } : {}),
      ...(citekey ? { citekey } : {}),
    });
    const location = { ...(p.page !== undefined ? { page: p.page } : {}), ...(p.section ? { heading: p.section } : {}) };
    return {
      id: ids[i]!,
      uri: p.uri,
      title: p.path,
      kind: kindOf(p.path),
      status: 'ok',
      text: p.text,
      sections: [{ title: p.section ?? p.path, level: 1, text: p.text, location, role: 'body' }],
      tokenEstimate: estimateTokens(p.text),
      passage: p,
      citation,
    };
  });
}

/** One line per passage: which id cites as what (the `citations` template variable). */
export function passageCitationList(sources: readonly PassageSource[]): string {
  return sources.map((s) => `- source id "${s.id}" → cite as ${s.citation}`).join('\n');
}

/** Words of a question that carry meaning: Latin words of 3+ letters, and each pair of adjacent CJK characters. */
function contentTerms(text: string): { latin: Set<string>; han: Set<string> } {
  const latin = new Set<string>();
  const han = new Set<string>();
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = m[0];
    if (/\p{Script=Han}/u.test(word)) {
      const chars = [...word].filter((c) => /\p{Script=Han}/u.test(c));
      for (let i = 0; i + 1 < chars.length; i += 1) han.add(chars[i]! + chars[i + 1]!);
    } else if (word.length >= 3 && !STOPWORDS.has(word)) latin.add(word);
  }
  return { latin, han };
}

const STOPWORDS = new Set(
  [
    'the and for are was were what which who whom whose when where why how does did has have had with from that this these',
    'those into about than then them they their there not but can could would should will may might its our your you all',
    'any some such also more most other only over under between during after before each both',
  ]
    .join(' ')
    .split(' '),
);

/** The least score a passage needs (the engine's scores are positive for any match). */
export const MIN_PASSAGE_SCORE = 0;

/**
 * The passages that answer something of the question: above the score floor, with at least one passage sharing
 * a good part of the question's words (half of its Latin words, or a quarter of its CJK character pairs, which
 * overlap one another). Vector search always returns nearest neighbours, even for a question the library knows
 * nothing about, and one common word ("point") is no answer; the shared words keep "not in the library" honest.
 * When some passage qualifies, the other hits above the floor stay (they may paraphrase).
 */
export function relevantPassages(question: string, passages: readonly Passage[], minScore = MIN_PASSAGE_SCORE): Passage[] {
  const { latin, han } = contentTerms(question);
  const above = passages.filter((p) => p.score > minScore);
  if (latin.size === 0 && han.size === 0) return above;
  const hits = (terms: Set<string>, text: string): number => [...terms].filter((t) => text.includes(t)).length;
  const answers = (p: Passage): boolean => {
    const text = `${p.text} ${p.section ?? ''} ${p.path}`.toLowerCase();
    return (
      (latin.size > 0 && hits(latin, text) >= Math.ceil(latin.size / 2)) || (han.size > 0 && hits(han, text) >= Math.ceil(han.size / 4))
    );
  };
  return above.some(answers) ? above : [];
}

const HAN = /\p{Script=Han}/u;
const LATIN_WORD = /\p{Script=Latin}{3}/u;

/**
 * Whether the question's words are all of one script (Han, or Latin) in which none of the passages found is
 * written: a Chinese question over English papers (a multilingual embedding model finds such passages). Shared
 * words cannot tell then whether a passage answers the question, so "not in the library" would claim more than
 * is known; the answer says why instead, and how to ask.
 */
export function inOtherLanguage(question: string, passages: readonly Passage[], minScore = MIN_PASSAGE_SCORE): boolean {
  const { latin, han } = contentTerms(question);
  const above = passages.filter((p) => p.score > minScore);
  if (above.length === 0) return false;
  if (han.size > 0 && latin.size === 0) return !above.some((p) => HAN.test(p.text));
  if (latin.size > 0 && han.size === 0) return !above.some((p) => LATIN_WORD.test(p.text));
  return false;
}

/** What the library gave for a query: the relevant passages, or none and why. */
export interface LibraryHits {
  readonly passages: PassageSource[];
  /** None is relevant because the passages found are in another language than the question (inOtherLanguage). */
  readonly otherLanguage: boolean;
}

/** A fixed answer's result (nothing relevant in the library): delivered at once, no request. */
export function fixedAnswer(text: string, sink: TextSink): ActionResult {
  sink(text);
  return { text, model: 'none', fromCache: false, finishReason: 'stop', warnings: [], requests: 0, parts: 1 };
}

export interface RetrieveDeps {
  readonly library: Library;
  /** The note's links (for its link syntax). */
  readonly links: readonly NoteLink[];
  /** The note's bibliography as attachment → citekey (read only when the note cites by key). */
  readonly citekeys?: (signal: AbortSignal) => Promise<ReadonlyMap<string, string>>;
}

/**
 * The relevant passages for a query as sources cited in the note's syntax, best first; none when nothing
 * relevant is found. The note's own passages are left out: it is the question's context, not an answer to it.
 */
export async function retrievePassages(
  deps: RetrieveDeps,
  noteUri: string,
  query: string,
  limit: number,
  signal: AbortSignal,
): Promise<LibraryHits> {
  // A few more than needed, so that dropping the note's own passages still leaves `limit`.
  const found = await deps.library.search(query, { limit: limit + 4, signal });
  const others = found.filter((p) => uriKey(p.uri) !== uriKey(noteUri));
  const relevant = relevantPassages(query, others).slice(0, limit);
  if (relevant.length === 0) return { passages: [], otherLanguage: inOtherLanguage(query, others) };
  const syntax = noteLinkSyntax(deps.links);
  const keys = syntax === 'citekey' && deps.citekeys ? await deps.citekeys(signal) : new Map<string, string>();
  return { passages: passageSources(relevant, noteUri, syntax, keys), otherLanguage: false };
}
