/** What a reader is given (a resolved file) and the Source it builds, with or without a note behind it. */
import type { PdfDocumentMetadata } from '../../pdf/documentMetadata';
import { estimateTokens } from '../../llm/tokens';
import type { LinkAnchor } from '../../markdown/links';
import type { FileStamp } from '../../ports/files';
import type { Source, SourceKind, SourceSection, SourceStatus } from '../types';

/** A file to read as a source. */
export interface ReadTarget {
  readonly uri: string;
  readonly kind: SourceKind;
  /** The source's id: the workspace-relative path, plus the anchor when only a part is read. */
  readonly id: string;
  /** How messages name the file (its workspace-relative path). */
  readonly name: string;
  /** A title known from elsewhere (a bibliography entry) instead of the one read from the file. */
  readonly title?: string;
  /** Read only this part (heading, block, pages). */
  readonly anchor?: LinkAnchor;
  /** Size, mtime and change time from a check made before any read (the extraction cache's keys by URI). */
  readonly stamp?: FileStamp;
}

/** The fields of a host's stat that the caches compare (a host may return more). */
export function stampOf(stat: FileStamp): FileStamp {
  return stat.ctime === undefined ? { size: stat.size, mtime: stat.mtime } : { size: stat.size, mtime: stat.mtime, ctime: stat.ctime };
}

/** The suffix an anchor adds to a source id (`#page=3`, `#^block`, `#Heading`). */
export function anchorSuffix(anchor: LinkAnchor | undefined): string {
  if (!anchor) return '';
  if (anchor.kind === 'page') return `#page=${anchor.from === anchor.to ? anchor.from : `${anchor.from}-${anchor.to}`}`;
  return anchor.kind === 'block' ? `#^${anchor.id}` : `#${anchor.heading}`;
}

/** A source that could not be read (or not the part asked for), saying why and naming the file. */
export function problemSource(target: ReadTarget, title: string, status: SourceStatus, detail: string, contentHash?: string): Source {
  return {
    id: target.id,
    uri: target.uri,
    title,
    kind: target.kind,
    status,
    statusDetail: detail,
    text: '',
    sections: [],
    tokenEstimate: 0,
    ...(contentHash ? { contentHash } : {}),
  };
}

/** A source read; one without any text is reported as such rather than sent empty. */
export function fileSource(
  target: ReadTarget,
  title: string,
  text: string,
  sections: readonly SourceSection[],
  extra: { readonly contentHash?: string; readonly statusDetail?: string; readonly pdfMetadata?: PdfDocumentMetadata } = {},
): Source {
  if (text.trim() === '') return problemSource(target, title, 'noText', `${target.id}: no text`, extra.contentHash);
  return {
    id: target.id,
    uri: target.uri,
    title,
    kind: target.kind,
    status: 'ok',
    text,
    sections,
    tokenEstimate: estimateTokens(text),
    ...(extra.contentHash ? { contentHash: extra.contentHash } : {}),
    ...(extra.statusDetail ? { statusDetail: extra.statusDetail } : {}),
    ...(extra.pdfMetadata ? { pdfMetadata: extra.pdfMetadata } : {}),
  };
}
