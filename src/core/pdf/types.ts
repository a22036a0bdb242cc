import type { SourceSection } from '../sources/types';

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

/** The text fields of the PDF's document information dictionary, as written (often empty or junk). */
export interface PdfInfo {
  readonly title?: string;
  readonly author?: string;
  readonly subject?: string;
  readonly keywords?: string;
  /** Raw PDF date string, e.g. `D:20180607221202+05'30'`. */
  readonly creationDate?: string;
}

/** One line of the first page with its font size, for finding the title by its type. */
export interface PdfFirstPageLine {
  readonly text: string;
  /** Font size in user space (the line's character-weighted mean). */
  readonly size: number;
  /** Left edge and baseline (y grows upwards). */
  readonly x: number;
  readonly y: number;
}

export interface PdfDocumentMetadata {
  readonly info?: PdfInfo;
  /** The XMP packet as stored in the file (capped in length). */
  readonly xmp?: string;
  /** The XMP properties pdf.js parsed, by lower-cased qualified name (`dc:title`, `dc:creator`, `prism:doi`…). */
  readonly xmpFields?: Readonly<Record<string, string | readonly string[]>>;
  /** Page 1's lines in reading order, with sizes, when page 1 was read. */
  readonly firstPage?: {
    readonly width: number;
    readonly height: number;
    readonly lines: readonly PdfFirstPageLine[];
  };
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
