/** The parsers a host supplies for binary and bibliography files (the PDF engine is a separately loaded bundle). */
export type { PdfTextExtractor } from '../sources/sourceReader';
export type { BibtexParser } from '../sources/bibliography';
