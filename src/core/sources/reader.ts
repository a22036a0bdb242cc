import type { NoteDocument, OffsetRange } from '../ports/document';
import type { ProgressReporter } from '../ports/progress';
import type { NoteLink } from '../markdown/links';
import type { BibEntry } from './bibliography';
import type { Source, SourceStatus } from './types';

/** What to read for one action. */
export interface CollectOptions {
  /** The user's selection; when non-empty the `note` source is the selection, else the whole note. */
  readonly selection?: OffsetRange;
  /**
   * Which links to follow: `all` (default), `none` (note only), or only the links overlapping a range
   * (e.g. the link at the cursor for "Summarize Linked Paper", or the selection for "Compare").
   */
  readonly links?: 'all' | 'none' | OffsetRange;
  /** Follow links only to these kinds (e.g. `['pdf']` for paper actions); default all readable kinds. */
  readonly kinds?: readonly Source['kind'][];
  readonly signal: AbortSignal;
  readonly progress?: ProgressReporter;
}

export interface CollectedSources {
  /** The note itself, or the selection (kind `selection`) when one was given. */
  readonly note: Source;
  /**
   * Linked sources in note order, one per distinct target+anchor, including the ones that could not be
   * read (status ≠ ok, with `statusDetail` naming the file): callers send only `status === 'ok'`.
   */
  readonly sources: readonly Source[];
  /** Every link found in the note (for pickers and CodeLens), whether followed or not. */
  readonly links: readonly NoteLink[];
  /** Sum of `tokenEstimate` over the note and the ok sources. */
  readonly totalTokens: number;
  /** True when linked files were not read because the workspace is untrusted. */
  readonly untrusted: boolean;
}

/**
 * Reads a note and what it links to. Implemented in src/core/sources/sourceReader.ts,
 * exposed to commands as `services.sources`.
 */
export interface SourceReader {
  /** The note (or selection) plus its resolved linked sources. Never throws for a bad link; throws only on cancellation. */
  collect(document: NoteDocument, options: CollectOptions): Promise<CollectedSources>;
  /**
   * One file as a source with no note involved (a batch run, an indexer): checked like a linked file (kind,
   * existence, size limit) and read through the same extraction cache. Never throws for a bad file (the Source says
   * why, naming it); throws only on cancellation.
   */
  readSource(uri: string, signal: AbortSignal): Promise<Source>;
  /** Links in the note, parsed with markdown-it (no file access): cheap, synchronous. */
  links(document: NoteDocument): readonly NoteLink[];
  /**
   * Optional: loads the note's linked, already extracted PDFs into memory ahead of an action (e.g. on opening
   * the note), so the first action does not read and hash them. Never extracts; resolves to how many are held.
   */
  warm?(document: NoteDocument, signal: AbortSignal): Promise<number>;
  /**
   * Optional: the note's bibliography as attachment file (uriKey) → citekey, for citing a paper found elsewhere
   * than in the note's links (a library passage) by its key.
   */
  citekeys?(document: NoteDocument, signal: AbortSignal): Promise<ReadonlyMap<string, string>>;
  /**
   * Optional: the bibliography entry of each file the note's bibliography (else the `bibliography` setting) attaches,
   * by the file's URI key (`uriKey`), for front matter taken from the entry.
   */
  bibliographyEntries?(document: NoteDocument, signal: AbortSignal): Promise<ReadonlyMap<string, BibEntry>>;
  /**
   * Optional: whether each given link resolves to a file that is there (a stat, no read), for pickers that
   * mark missing papers. Untrusted workspaces report every link `untrusted`.
   */
  linkStatus?(document: NoteDocument, links: readonly NoteLink[], signal: AbortSignal): Promise<readonly LinkStatus[]>;
}

/** A link and whether its target can be read, as far as a stat tells. */
export interface LinkStatus {
  readonly link: NoteLink;
  readonly status: SourceStatus;
  /** Why not, naming the file. */
  readonly detail?: string;
}
