import MarkdownIt from 'markdown-it';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs';
import type Token from 'markdown-it/lib/token.mjs';
import frontMatter from 'markdown-it-front-matter';
import footnote from 'markdown-it-footnote';
import { parse as parseYaml } from 'yaml';
import { collectBlockSpans, type NoteBlockSpan } from './blockSpans';
import { isExternal, parseAnchor, splitTarget, type LinkForm, type NoteLink } from './links';
import { scanWikilink } from './wikilinkScan';

export type { NoteBlockSpan } from './blockSpans';

export interface NoteHeading {
  readonly level: number;
  readonly text: string;
  /** 0-based line of the heading, and the line after its section (next heading of the same or a higher level). */
  readonly line: number;
  readonly endLine: number;
}

/** An Obsidian block id (`^id` at the end of a paragraph or list item) and the lines of its block. */
export interface NoteBlock {
  readonly id: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface NoteCallout {
  readonly type: string;
  readonly title: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface ParsedNote {
  readonly text: string;
  /** YAML front matter as an object; undefined when absent. */
  readonly frontMatter: Readonly<Record<string, unknown>> | undefined;
  /** Set when the front matter is present but is not valid YAML. */
  readonly frontMatterError?: string;
  /** Line after the front matter (0 when none). */
  readonly bodyStartLine: number;
  readonly links: readonly NoteLink[];
  readonly headings: readonly NoteHeading[];
  readonly blocks: readonly NoteBlock[];
  readonly callouts: readonly NoteCallout[];
  readonly footnoteCount: number;
  /** The top-level blocks in note order, for placing inserted blocks between them, never inside one. */
  readonly blockSpans: readonly NoteBlockSpan[];
  /** Offsets where each line starts (line i starts at lineStarts[i]). */
  readonly lineStarts: readonly number[];
}

/** A link as the inline rules saw it, before its position in the note is known. */
interface PendingLink {
  readonly raw: string;
  readonly map: readonly [number, number] | null;
  readonly link: Omit<NoteLink, 'raw' | 'start' | 'end' | 'line'>;
  /** Further citekeys of one `[@a; @b]`: same raw text and position as the previous link. */
  readonly samePlace?: boolean;
}

interface ParseEnv {
  currentMap: [number, number] | null;
  pending: PendingLink[];
  frontMatterRaw?: string;
  /** Whether bare `@key` counts as a citation (only when the note has a bibliography to resolve it). */
  bareCitations: boolean;
}

// Pandoc citekey: starts with a letter, digit or _, then key punctuation; trailing punctuation is not part of it.
const CITEKEY = /^@([\p{L}\p{N}_][\p{L}\p{N}_:.#$%&\-+?<>~/]*)/u;

function trimKey(key: string): string {
  return key.replace(/[:.#$%&\-+?<>~/]+$/u, '');
}

function record(state: StateInline, raw: string, link: PendingLink['link'], samePlace = false): void {
  const env = state.env as ParseEnv;
  env.pending.push({ raw, map: env.currentMap, link, ...(samePlace ? { samePlace } : {}) });
}

/** `[[target#anchor|alias]]` and `![[…]]`, before markdown-it's own link rule so `[[` is never a link. */
function wikilinkRule(state: StateInline, silent: boolean): boolean {
  const found = scanWikilink(state.src, state.pos);
  if (!found) return false;
  const { embed, inner, end } = found;
  if (!silent) {
    const raw = state.src.slice(state.pos, end);
    const bar = inner.indexOf('|');
    const targetPart = bar < 0 ? inner : inner.slice(0, bar);
    const label = bar < 0 ? undefined : inner.slice(bar + 1).trim();
    const { path, fragment } = splitTarget(targetPart);
    const token = state.push('wikilink', '', 0);
    token.content = label ?? targetPart;
    token.meta = { target: path, embed };
    if (path.startsWith('@')) {
      const key = trimKey(path.slice(1));
      record(state, raw, { form: 'wikilink', target: '', citekey: key, external: false, ...(label ? { label } : {}) });
    } else {
      const anchor = parseAnchor(fragment);
      record(state, raw, {
        form: embed ? 'embed' : 'wikilink',
        target: path,
        external: false,
        ...(anchor ? { anchor } : {}),
        ...(label ? { label } : {}),
      });
    }
  }
  state.pos = end;
  return true;
}

/** Pandoc bracketed citations `[@a]`, `[see @a, p. 3; @b]`; must not be a link `[..](..)` or `[..][..]`. */
function bracketCitationRule(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== 0x5b || src.charCodeAt(start + 1) === 0x5b) return false;
  const close = src.indexOf(']', start + 1);
  if (close < 0) return false;
  const inner = src.slice(start + 1, close);
  if (inner.includes('[') || inner.includes('\n') || !inner.includes('@')) return false;
  const next = src.charCodeAt(close + 1);
  if (next === 0x28 /* ( */ || next === 0x5b /* [ */) return false;
  const keys: string[] = [];
  for (const item of inner.split(';')) {
    const at = item.search(/(^|[\s-])@/u);
    if (at < 0) return false;
    const from = item.indexOf('@', at);
    const match = CITEKEY.exec(item.slice(from));
    if (!match?.[1]) return false;
    keys.push(trimKey(match[1]));
  }
  if (!silent) {
    const raw = src.slice(start, close + 1);
    const token = state.push('citation', '', 0);
    token.content = raw;
    token.meta = { keys };
    keys.forEach((key, i) => record(state, raw, { form: 'citation', target: '', citekey: key, external: false }, i > 0));
  }
  state.pos = close + 1;
  return true;
}

/** Bare `@key` in text (pandoc in-text citation); not inside words or e-mail addresses. */
function bareCitationRule(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== 0x40 /* @ */) return false;
  if (!(state.env as ParseEnv).bareCitations) return false;
  const prev = start > 0 ? (src[start - 1] ?? '') : '';
  if (/[\p{L}\p{N}_.]/u.test(prev)) return false;
  const match = CITEKEY.exec(src.slice(start));
  if (!match?.[1]) return false;
  const key = trimKey(match[1]);
  if (!silent) {
    const raw = `@${key}`;
    const token = state.push('citation', '', 0);
    token.content = raw;
    token.meta = { keys: [key] };
    record(state, raw, { form: 'citation', target: '', citekey: key, external: false });
  }
  state.pos = start + 1 + key.length;
  return true;
}

type InlineRule = (state: StateInline, silent: boolean) => boolean;

/**
 * Wraps markdown-it's own `link` / `image` / `autolink` rules so every local link they accept (inline,
 * reference and autolinks: markdown-it has already resolved `[text][ref]` to its href) is recorded.
 */
function recordingRule(original: InlineRule, form: LinkForm): InlineRule {
  return (state, silent) => {
    const start = state.pos;
    const before = state.tokens.length;
    const ok = original(state, silent);
    if (!ok || silent) return ok;
    const open = state.tokens.slice(before).find((t) => t.type === 'link_open' || t.type === 'image');
    const href = open?.attrGet('src') ?? open?.attrGet('href');
    if (!open || !href || isExternal(href)) return ok;
    const { path, fragment } = splitTarget(href);
    if (path === '') return ok; // `[x](#heading)`: a link inside the note itself
    const anchor = parseAnchor(fragment);
    const label = open.type === 'image' ? open.content : undefined;
    record(state, state.src.slice(start, state.pos), {
      form: open.type === 'image' ? 'image' : form,
      target: path,
      external: false,
      ...(anchor ? { anchor } : {}),
      ...(label ? { label } : {}),
    });
    return ok;
  };
}

function ruleFn(md: MarkdownIt, name: string): InlineRule {
  // markdown-it exposes rules by name only through its private list; needed to wrap, not replace, them.
  const rules = (md.inline.ruler as unknown as { __rules__: { name: string; fn: InlineRule }[] }).__rules__;
  const rule = rules.find((r) => r.name === name);
  if (!rule) throw new Error(`markdown-it inline rule ${name} not found`);
  return rule.fn;
}

function createParser(): MarkdownIt {
  const md = new MarkdownIt('default', { html: true, linkify: false });
  // The raw YAML is read from the front_matter token's `meta` after parsing, so the callback has nothing to do.
  md.use(frontMatter, () => undefined);
  md.use(footnote);
  // Links to local files are what we read; markdown-it rejects file: URLs by default (an HTML safety rule).
  md.validateLink = (url) => !/^(javascript|vbscript):/i.test(url.trim());
  md.inline.ruler.before('link', 'wikilink', wikilinkRule);
  md.inline.ruler.before('link', 'bracket_citation', bracketCitationRule);
  md.inline.ruler.at('link', recordingRule(ruleFn(md, 'link'), 'markdown'));
  md.inline.ruler.at('image', recordingRule(ruleFn(md, 'image'), 'image'));
  md.inline.ruler.at('autolink', recordingRule(ruleFn(md, 'autolink'), 'autolink'));
  md.inline.ruler.push('bare_citation', bareCitationRule);
  // Same as markdown-it's core `inline` rule, but tells the inline rules which block lines they are in.
  md.core.ruler.at('inline', (state: StateCore) => {
    const env = state.env as ParseEnv;
    for (const token of state.tokens) {
      if (token.type !== 'inline') continue;
      env.currentMap = token.map;
      state.md.inline.parse(token.content, state.md, state.env, token.children ?? (token.children = []));
    }
  });
  return md;
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function lineAt(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface ParseNoteOptions {
  /** Treat bare `@key` as a citation (pandoc). Default: only when the note declares a bibliography. */
  readonly bareCitations?: boolean;
}

/**
 * Parses a note with markdown-it: front matter, headings, block ids, callouts, footnotes and every link form.
 * Sets up its own markdown-it each call (a few ms): code that parses often holds a NoteParser instead.
 */
export function parseNote(text: string, options: ParseNoteOptions = {}): ParsedNote {
  return parseWith(createParser(), text, options);
}

/**
 * A note parser that keeps its last few parses: one action parses the same note text more than once (links,
 * collect, the note's CodeLenses), and markdown-it on a long note is the larger part of reading it. Keyed by
 * the exact text (and the option), so any edit parses anew. Owned by whoever reads notes (the source reader),
 * so two assistants never share or grow one memo.
 */
export class NoteParser {
  private readonly recent = new Map<string, { readonly bareCitations: boolean | undefined; readonly parsed: ParsedNote }>();
  private parser: MarkdownIt | undefined;

  constructor(private readonly keep = 4) {}

  parse(text: string, options: ParseNoteOptions = {}): ParsedNote {
    const hit = this.recent.get(text);
    if (hit && hit.bareCitations === options.bareCitations) return hit.parsed;
    const parsed = parseWith((this.parser ??= createParser()), text, options);
    if (this.keep <= 0) return parsed;
    this.recent.delete(text);
    if (this.recent.size >= this.keep) this.recent.delete(this.recent.keys().next().value ?? '');
    this.recent.set(text, { bareCitations: options.bareCitations, parsed });
    return parsed;
  }

  clear(): void {
    this.recent.clear();
  }
}

function parseWith(parser: MarkdownIt, text: string, options: ParseNoteOptions): ParsedNote {
  const lineStarts = computeLineStarts(text);
  let env: ParseEnv = { currentMap: null, pending: [], bareCitations: options.bareCitations ?? false };
  let tokens = parser.parse(text, env);
  const fmToken = tokens.find((t) => t.type === 'front_matter');
  let frontMatterValue: Record<string, unknown> | undefined;
  let frontMatterError: string | undefined;
  if (fmToken) {
    try {
      const value: unknown = parseYaml(String(fmToken.meta ?? ''));
      frontMatterValue = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    } catch (error) {
      frontMatterError = error instanceof Error ? error.message : String(error);
    }
    if (options.bareCitations === undefined && frontMatterValue && 'bibliography' in frontMatterValue) {
      // A declared bibliography makes bare @key a citation: parse again with that rule on.
      // A fresh env: markdown-it and its plugins keep per-parse state there (references, footnotes).
      env = { currentMap: null, pending: [], bareCitations: true };
      tokens = parser.parse(text, env);
    }
  }
  return {
    text,
    frontMatter: frontMatterValue,
    ...(frontMatterError === undefined ? {} : { frontMatterError }),
    bodyStartLine: fmToken?.map?.[1] ?? 0,
    links: placeLinks(text, lineStarts, env.pending),
    headings: collectHeadings(tokens, lineStarts.length),
    blocks: collectBlocks(tokens),
    callouts: collectCallouts(tokens),
    footnoteCount: tokens.filter((t) => t.type === 'footnote_open').length,
    blockSpans: collectBlockSpans(tokens, text, lineStarts),
    lineStarts,
  };
}

/** Finds each recorded link's offsets: inline content has block prefixes (`> `, list markers) stripped. */
function placeLinks(text: string, lineStarts: readonly number[], pending: readonly PendingLink[]): NoteLink[] {
  const cursors = new Map<string, number>();
  const links: NoteLink[] = [];
  for (const p of pending) {
    const previous = links[links.length - 1];
    if (p.samePlace && previous) {
      links.push({ ...p.link, raw: p.raw, start: previous.start, end: previous.end, line: previous.line });
      continue;
    }
    const blockStart = p.map ? (lineStarts[p.map[0]] ?? 0) : 0;
    const blockEnd = p.map ? (lineStarts[p.map[1]] ?? text.length) : text.length;
    const key = p.map ? `${p.map[0]}:${p.map[1]}` : 'none';
    const from = cursors.get(key) ?? blockStart;
    let start = text.indexOf(p.raw, from);
    let length = p.raw.length;
    if (start < 0 || start >= blockEnd) {
      // The raw text spans lines inside a container (e.g. a blockquote): locate its first line.
      const firstLine = p.raw.split('\n')[0] ?? p.raw;
      start = text.indexOf(firstLine, from);
      length = firstLine.length;
      if (start < 0) start = blockStart;
    }
    cursors.set(key, start + length);
    links.push({ ...p.link, raw: p.raw, start, end: start + length, line: lineAt(lineStarts, start) });
  }
  return links;
}

function inlineText(token: Token | undefined): string {
  if (!token) return '';
  const children = token.children ?? [];
  if (children.length === 0) return token.content;
  return children
    .map((c) => (c.type === 'wikilink' || c.type === 'citation' || c.type === 'text' || c.type === 'code_inline' ? c.content : ''))
    .join('');
}

function collectHeadings(tokens: readonly Token[], lineCount: number): NoteHeading[] {
  const raw: { level: number; text: string; line: number }[] = [];
  tokens.forEach((t, i) => {
    if (t.type === 'heading_open' && t.map)
      raw.push({ level: Number(t.tag.slice(1)), text: inlineText(tokens[i + 1]).trim(), line: t.map[0] });
  });
  return raw.map((h, i) => {
    const next = raw.slice(i + 1).find((n) => n.level <= h.level);
    return { ...h, endLine: next ? next.line : lineCount };
  });
}

const BLOCK_ID = /(?:^|\s)\^([A-Za-z0-9-]+)\s*$/;

function collectBlocks(tokens: readonly Token[]): NoteBlock[] {
  const blocks: NoteBlock[] = [];
  const open: Token[] = [];
  for (const t of tokens) {
    if (t.nesting === 1) open.push(t);
    else if (t.nesting === -1) open.pop();
    if (t.type !== 'inline') continue;
    const match = BLOCK_ID.exec(t.content);
    if (!match?.[1]) continue;
    // A block id in a list item names the item; elsewhere the paragraph.
    const parent = [...open].reverse().find((o) => o.type === 'list_item_open') ?? open[open.length - 1];
    const map = parent?.map ?? t.map;
    if (map) blocks.push({ id: match[1], startLine: map[0], endLine: map[1] });
  }
  return blocks;
}

function collectCallouts(tokens: readonly Token[]): NoteCallout[] {
  const callouts: NoteCallout[] = [];
  tokens.forEach((t, i) => {
    if (t.type !== 'blockquote_open' || !t.map) return;
    const inline = tokens[i + 2];
    if (tokens[i + 1]?.type !== 'paragraph_open' || inline?.type !== 'inline') return;
    const match = /^\[!([\w-]+)\][+-]?\s*(.*)/.exec(inline.content);
    if (match?.[1])
      callouts.push({
        type: match[1].toLowerCase(),
        title: (match[2] ?? '').split('\n')[0]?.trim() ?? '',
        startLine: t.map[0],
        endLine: t.map[1],
      });
  });
  return callouts;
}
