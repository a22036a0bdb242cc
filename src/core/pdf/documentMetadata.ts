// What a PDF states about itself, as the engine reads it (apart from the extraction's types: sources carry it too).

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
