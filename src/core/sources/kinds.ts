import type { SourceKind } from './types';
import { extname } from './uri';

const KINDS: Readonly<Record<string, SourceKind>> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.pdf': 'pdf',
  '.txt': 'text',
  '.tex': 'tex',
  '.html': 'html',
  '.htm': 'html',
};

/** The kind of source a file name or URI names by its extension; undefined when no reader reads it. */
export function kindOf(nameOrUri: string): SourceKind | undefined {
  return KINDS[extname(nameOrUri)];
}

export interface SourceLimits {
  /** Largest PDF read, in bytes. */
  readonly maxPdfBytes: number;
  /** Largest note / text file read, in bytes. */
  readonly maxTextBytes: number;
  /** Most pages extracted from one PDF; longer PDFs are read up to this page and say so. */
  readonly maxPdfPages: number;
}

export const DEFAULT_LIMITS: SourceLimits = { maxPdfBytes: 100 * 1024 * 1024, maxTextBytes: 4 * 1024 * 1024, maxPdfPages: 1000 };

/** The size limit for a kind of file. */
export function maxBytesFor(kind: SourceKind, limits: SourceLimits): number {
  return kind === 'pdf' ? limits.maxPdfBytes : limits.maxTextBytes;
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
