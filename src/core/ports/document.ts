/** Minimal view of an open note: structurally compatible with vscode.TextDocument (offsets only). */
export interface NoteDocument {
  /** A URI string (`file:///…`); the core never parses it with Node's `path`. */
  readonly uri: string;
  readonly version: number;
  readonly languageId: string;
  getText(): string;
}

/** A selection as character offsets into `getText()`; empty when start === end. */
export interface OffsetRange {
  readonly start: number;
  readonly end: number;
}
