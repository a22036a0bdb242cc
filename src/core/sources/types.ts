/**
 * The contract between reading sources (markdown, links, citekeys, PDFs) and the actions
 * that send them to a model and check figures against them.
 */
import type { PdfDocumentMetadata } from '../pdf/documentMetadata';

export type SourceKind = 'note' | 'selection' | 'markdown' | 'pdf' | 'text' | 'tex' | 'html';

export type SourceStatus =
  'ok' | 'missing' | 'tooLarge' | 'outsideWorkspace' | 'unsupported' | 'unreadable' | 'cycle' | 'untrusted' | 'noText';

/** Where a piece of text sits in its source, for citations like "(p. 3)" or "(§ Methods)". */
export interface SourceLocation {
  readonly page?: number;
  readonly heading?: string;
  readonly line?: number;
}

/** A part of a source along its own structure (heading, detected PDF section, or paragraph run). */
export interface SourceSection {
  readonly title: string;
  readonly level: number;
  readonly text: string;
  readonly location: SourceLocation;
  /** References / bibliography sections are kept apart and left out of summaries by default. */
  readonly role: 'body' | 'references';
}

/** How the note points at this source. */
export interface SourceLink {
  /** The link exactly as written, e.g. `[[paper.pdf#page=3]]` or `[@smith2020]`. */
  readonly raw: string;
  /** Character offsets of the link in the note. */
  readonly start: number;
  readonly end: number;
  /** 0-based line of the link in the note. */
  readonly line: number;
  /** The citekey, when the link is a citation. */
  readonly citekey?: string;
}

export interface Source {
  /** Stable id for prompts and caches (e.g. the workspace-relative path plus anchor). */
  readonly id: string;
  /** URI string of the file (`file:///…`); the note's own URI for note and selection sources. */
  readonly uri: string;
  readonly title: string;
  readonly kind: SourceKind;
  readonly status: SourceStatus;
  /** Why the status is not ok, naming the file (shown in the preview and the log). */
  readonly statusDetail?: string;
  /** Normalised text (for PDFs with page markers); empty unless status is ok. */
  readonly text: string;
  readonly sections: readonly SourceSection[];
  readonly tokenEstimate: number;
  readonly link?: SourceLink;
  /** Content hash of the file's bytes (cache key). */
  readonly contentHash?: string;
  /** A PDF's info dictionary, XMP and page 1's lines with their type sizes, when the engine read them. */
  readonly pdfMetadata?: PdfDocumentMetadata;
}
