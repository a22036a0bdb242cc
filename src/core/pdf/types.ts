import type { SourceSection } from '../sources/types';
import type { PdfDocumentMetadata } from './documentMetadata';

export type { PdfDocumentMetadata, PdfFirstPageLine, PdfInfo } from './documentMetadata';

/** One positioned run of text from a PDF page (pdf.js `getTextContent` item, flattened for transfer). */
export interface PdfTextItem {
  readonly str: string;
  /** Baseline origin in PDF user space (y grows upwards). */
  readonly x: number;
  readonly y: number;
  /** Advance width and font size in user space. */
  readonly w: number;
  readonly size: number;
  /** Text not drawn horizontally (sidebars, stamps, rotated watermarks). */
  readonly rotated: boolean;
  /** Direction in quarter turns counter-clockwise (1: reads bottom to top), undefined when not axis-aligned. */
  readonly quarter?: 0 | 1 | 2 | 3 | undefined;
  /** pdf.js says the item ends a line. */
  readonly eol: boolean;
}

export interface PdfPageItems {
  /** 1-based page number. */
  readonly page: number;
  readonly width: number;
  readonly height: number;
  readonly items: readonly PdfTextItem[];
}

/** Counts of what normalisation changed, for the log and the tests. */
export interface PdfCleanupStats {
  readonly ligaturesRepaired: number;
  readonly controlCharsRemoved: number;
  readonly hyphenationsJoined: number;
  readonly repeatedLinesRemoved: number;
  /** Pages read in columns (two or more). */
  readonly twoColumnPages: number;
  /** Pages whose text ran sideways (landscape tables) and was turned upright to be read. */
  readonly turnedPages?: number;
}

export interface PdfExtraction {
  readonly pageCount: number;
  /** Pages actually read (fewer than pageCount when a page limit applied). */
  readonly pagesRead: number;
  /** Clean text of each page read, in reading order. */
  readonly pages: readonly string[];
  /** The whole text with `[page N]` markers. */
  readonly text: string;
  readonly sections: readonly SourceSection[];
  readonly stats: PdfCleanupStats;
  /** Characters of text on the pages read (0 for image-only PDFs). */
  readonly characters: number;
  /** What the file says about itself, for a paper's title, authors, year and DOI (absent in old cached extractions). */
  readonly metadata?: PdfDocumentMetadata;
}

export interface PdfExtractOptions {
  /** Read at most this many pages (the rest is reported, never silently dropped). */
  readonly maxPages?: number;
  /** File name for messages. */
  readonly name?: string;
  readonly signal?: AbortSignal;
}

/** The page marker kept in PDF text so that citations can say "(p. 3)". */
export function pageMarker(page: number): string {
  return `[page ${page}]`;
}
