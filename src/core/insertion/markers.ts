/**
 * Block markers with provenance (what the block was made for, from which sources, by which model, when):
 * `<!-- research:summary target="note" sources="papers/x.pdf" model="qwen3:4b" date="2026-11-22" -->`
 * … `<!-- /research:summary -->`. HTML comments are invisible in previews and Obsidian.
 * `target` lets a re-run find and replace its own block, and only that block.
 * `figures` is reserved for the grounding check: "figures checked: N/M".
 */
export type BlockKind = 'summary' | 'comparison' | 'explanation' | 'answer' | 'draft' | 'prompt';

export interface BlockAttributes {
  /** What the block is about: `note`, `sel:<hash>`, a link, a term… Same kind + target = same block. */
  readonly target: string;
  /** Source ids (workspace-relative paths), joined with "; " in the marker. */
  readonly sources: readonly string[];
  readonly model: string;
  /** YYYY-MM-DD. */
  readonly date: string;
  /** Filled by the grounding checker: "11/12" means figures checked: 11 of 12 supported. */
  readonly figures?: string;
  /** Present while streaming stopped early and the user kept the partial block. */
  readonly incomplete?: boolean;
}

export interface FoundBlock {
  readonly kind: BlockKind;
  readonly attributes: BlockAttributes;
  /** Offset of `<!--` of the opening marker. */
  readonly start: number;
  /** Offset just after `-->` of the closing marker (plus its line break when there is one). */
  readonly end: number;
  /** The text between the markers. */
  readonly content: string;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/--/g, '&#45;&#45;').replace(/\n/g, ' ');
}

function unescapeAttr(value: string): string {
  return value
    .replace(/&#45;/g, '-')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

export function openingMarker(kind: BlockKind, a: BlockAttributes): string {
  const parts = [
    `target="${escapeAttr(a.target)}"`,
    `sources="${escapeAttr(a.sources.join('; '))}"`,
    `model="${escapeAttr(a.model)}"`,
    `date="${escapeAttr(a.date)}"`,
  ];
  if (a.figures !== undefined) parts.push(`figures="${escapeAttr(a.figures)}"`);
  if (a.incomplete) parts.push('incomplete="true"');
  return `<!-- research:${kind} ${parts.join(' ')} -->`;
}

export function closingMarker(kind: BlockKind): string {
  return `<!-- /research:${kind} -->`;
}

const OPEN = /<!-- research:([a-z]+)((?:\s+[a-z-]+="[^"]*")*)\s*-->/g;
const ATTR = /([a-z-]+)="([^"]*)"/g;

function parseAttributes(raw: string): BlockAttributes {
  const map = new Map<string, string>();
  for (const m of raw.matchAll(ATTR)) map.set(m[1] ?? '', unescapeAttr(m[2] ?? ''));
  const sources = (map.get('sources') ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  const figures = map.get('figures');
  return {
    target: map.get('target') ?? '',
    sources,
    model: map.get('model') ?? '',
    date: map.get('date') ?? '',
    ...(figures !== undefined ? { figures } : {}),
    ...(map.get('incomplete') === 'true' ? { incomplete: true } : {}),
  };
}

const KINDS: readonly BlockKind[] = ['summary', 'comparison', 'explanation', 'answer', 'draft', 'prompt'];

/** All complete blocks in a text, in document order. Unclosed openings are ignored (never replaced). */
export function findBlocks(text: string): FoundBlock[] {
  const found: FoundBlock[] = [];
  for (const m of text.matchAll(OPEN)) {
    const kind = m[1] as BlockKind;
    if (!KINDS.includes(kind)) continue;
    const start = m.index ?? 0;
    const bodyStart = start + m[0].length;
    const close = closingMarker(kind);
    const closeAt = text.indexOf(close, bodyStart);
    if (closeAt < 0) continue;
    let end = closeAt + close.length;
    if (text[end] === '\n') end += 1;
    found.push({ kind, attributes: parseAttributes(m[2] ?? ''), start, end, content: text.slice(bodyStart, closeAt) });
  }
  return found;
}

/** The block a re-run of `kind` on `target` should replace, if any. */
export function findOwnBlock(text: string, kind: BlockKind, target: string): FoundBlock | undefined {
  return findBlocks(text).find((b) => b.kind === kind && b.attributes.target === target);
}

/** Rewrites the `figures` attribute of the block opening at `blockStart` (for the grounding checker). */
export function withFiguresChecked(
  text: string,
  blockStart: number,
  supported: number,
  total: number,
): { start: number; end: number; text: string } | undefined {
  OPEN.lastIndex = 0;
  const m = new RegExp(OPEN.source, 'y');
  m.lastIndex = blockStart;
  const hit = m.exec(text);
  if (!hit) return undefined;
  const kind = hit[1] as BlockKind;
  const attrs = { ...parseAttributes(hit[2] ?? ''), figures: `${supported}/${total}` };
  return { start: blockStart, end: blockStart + hit[0].length, text: openingMarker(kind, attrs) };
}

/** Today's date as YYYY-MM-DD in local time (the user's calendar day, not UTC). */
export function isoDate(now: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/**
 * The text with every complete research block removed: a note's own generated blocks are never sent
 * back to the model (a re-run on unchanged notes must hit the cache, and summaries must not summarise summaries).
 */
export function stripBlocks(text: string): string {
  const blocks = findBlocks(text);
  if (blocks.length === 0) return text;
  let out = '';
  let at = 0;
  for (const b of blocks) {
    if (b.start < at) continue;
    out += text.slice(at, b.start);
    at = b.end;
  }
  return out + text.slice(at);
}
