/** Plain text, TeX and HTML files as sources: one section holding the text (for HTML, its visible text). */
import type { Source } from '../types';
import { basename } from '../uri';
import { fileSource, type ReadTarget } from './result';

export function readPlainText(target: ReadTarget, text: string): Source {
  const body = target.kind === 'html' ? htmlToText(text) : text;
  const title = target.title ?? basename(target.uri);
  return fileSource(target, title, body, [{ title, level: 0, text: body, location: {}, role: 'body' }]);
}

/** Visible text of an HTML page: scripts/styles dropped, tags removed, common entities decoded. */
export function htmlToText(html: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<(br|\/p|\/div|\/h\d|\/li|\/tr)[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (m, e: string) =>
      e.startsWith('#x')
        ? String.fromCodePoint(parseInt(e.slice(2), 16))
        : e.startsWith('#')
          ? String.fromCodePoint(Number(e.slice(1)))
          : (entities[e.toLowerCase()] ?? m),
    )
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n\s*/g, '\n\n')
    .trim();
}
