/**
 * The per-paper note of a batch run: front matter from the paper's own metadata (never the model's), a link to the
 * PDF, and the structured summary between the assistant's markers. An existing note keeps every byte the user wrote:
 * only our block is replaced (or appended when the user deleted it).
 */
import { findOwnBlock } from '../insertion/markers';
import type { PaperMetadata } from './metadata';

/** The file name without folders and the extension. */
export function baseName(uri: string): string {
  const last =
    decodeURIComponent(uri.replace(/[?#].*$/, '').replace(/\/+$/, ''))
      .split('/')
      .pop() ?? uri;
  return last.replace(/\.[^.]+$/, '');
}

/** A file name every file system accepts: no separators, reserved characters or leading dots; at most 120 characters. */
export function safeFileName(name: string): string {
  const cleaned = [...name.normalize('NFC')]
    // Control characters are not allowed in file names on Windows and confuse shells elsewhere.
    .map((c) => (c.charCodeAt(0) < 0x20 ? '-' : c))
    .join('')
    .replace(/[/\\:*?"<>|]+/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s-]+|[.\s]+$/g, '')
    .slice(0, 120);
  return cleaned === '' ? 'paper' : cleaned;
}

/** The note's file name: the citekey when the paper has one, else the PDF's own name. */
export function paperNoteName(metadata: PaperMetadata, pdfUri: string): string {
  return `${safeFileName(metadata.citekey ?? baseName(pdfUri))}.md`;
}

/** The relative path from a folder URI to a file URI (both `file:///…`), with `/` separators. */
export function relativePath(fromFolder: string, toFile: string): string {
  const from = fromFolder.replace(/\/+$/, '').split('/');
  const to = toFile.split('/');
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common += 1;
  const ups = from.slice(common).map(() => '..');
  return [...ups, ...to.slice(common)].map((p) => (p === '..' ? p : decodeURIComponent(p))).join('/');
}

/** A markdown link to the PDF from a note in `noteFolder`: `[name.pdf](<../papers/name.pdf>)`. */
export function pdfLink(noteFolder: string, pdfUri: string): string {
  const path = relativePath(noteFolder, pdfUri);
  const label = (path.split('/').pop() ?? path).replace(/[[\]]/g, '');
  return `[${label}](<${path}>)`;
}

export interface NewNote {
  /** The front matter, rendered (frontMatter.ts). */
  readonly frontMatter: string;
  readonly title: string;
  readonly link: string;
  /** The summary block, markers included. */
  readonly block: string;
}

export function renderPaperNote(n: NewNote): string {
  return `${n.frontMatter}\n# ${n.title.replace(/\s+/g, ' ').trim()}\n\n${n.link}\n\n${n.block}`;
}

/**
 * The note with our block for `target` replaced by `block`, or appended when the note has none; every other byte
 * stays as it was.
 */
export function withOwnBlock(existing: string, kind: 'summary' | 'comparison', target: string, block: string): string {
  const own = findOwnBlock(existing, kind, target);
  if (own) return existing.slice(0, own.start) + block + existing.slice(own.end);
  const separator = existing === '' ? '' : existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  return existing + separator + block;
}
