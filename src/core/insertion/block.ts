/**
 * Renders an inserted block: markers + the style the user chose (Obsidian callout, blockquote,
 * plain). Pure string building, shared by the streaming preview and the final insertion so
 * both look the same.
 */
import type { OutputStyle } from '../config';
import { closingMarker, openingMarker, type BlockAttributes, type BlockKind } from './markers';

export interface BlockSpec {
  readonly kind: BlockKind;
  readonly attributes: BlockAttributes;
  readonly style: OutputStyle;
  /** Title line shown in callout/blockquote styles ("Summary", "摘要"…). */
  readonly title: string;
  /** Label appended to the title when the block is kept after a cancel, e.g. "(incomplete)". */
  readonly incompleteLabel?: string;
}

const CALLOUT_TYPE: Record<BlockKind, string> = {
  summary: 'summary',
  comparison: 'note',
  explanation: 'info',
  answer: 'question',
  draft: 'note',
  prompt: 'note',
};

/** Markdown body, styled: every line quoted for callout/blockquote, untouched for plain. */
export function styleBody(spec: BlockSpec, body: string): string {
  const title = spec.attributes.incomplete && spec.incompleteLabel ? `${spec.title} ${spec.incompleteLabel}` : spec.title;
  // Tables and footnote definitions must stay at top level to render (and to be parsed by markdown-it).
  const style = spec.kind === 'comparison' ? 'plain' : spec.style;
  if (style === 'plain') {
    const head = spec.attributes.incomplete && spec.incompleteLabel ? `*${spec.incompleteLabel}*\n\n` : '';
    return head + body;
  }
  const first = style === 'callout' ? `> [!${CALLOUT_TYPE[spec.kind]}] ${title}` : `> **${title}**`;
  const lines = body.split('\n').map((l) => (l.length > 0 ? `> ${l}` : '>'));
  return [first, ...(body.length > 0 ? ['>', ...lines] : [])].join('\n');
}

/** The whole block: opening marker, styled body, closing marker, ending with a line break. */
export function renderBlock(spec: BlockSpec, body: string): string {
  const trimmed = body.replace(/\s+$/, '');
  return `${openingMarker(spec.kind, spec.attributes)}\n${styleBody(spec, trimmed)}\n${closingMarker(spec.kind)}\n`;
}

/**
 * The smallest edit turning `previous` into `next` (common prefix and suffix kept), relative to the
 * start of the streamed range. While streaming, each batch replaces only the tail that changed.
 */
export function diffEdit(previous: string, next: string): { start: number; end: number; text: string } | undefined {
  if (previous === next) return undefined;
  let p = 0;
  const max = Math.min(previous.length, next.length);
  while (p < max && previous.charCodeAt(p) === next.charCodeAt(p)) p += 1;
  let s = 0;
  while (s < max - p && previous.charCodeAt(previous.length - 1 - s) === next.charCodeAt(next.length - 1 - s)) s += 1;
  return { start: p, end: previous.length - s, text: next.slice(p, next.length - s) };
}
