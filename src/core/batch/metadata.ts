/**
 * What a paper says about itself, for a per-paper note's front matter. Every field comes from the file or the
 * bibliography, never from the model: a title or a year in a grant must be the paper's own.
 */

/** Where a field was found, best first: the bibliography entry, the PDF's info dictionary or XMP, the first page. */
export type MetadataOrigin = 'bibliography' | 'xmp' | 'info' | 'firstPage' | 'text';

export interface PaperMetadata {
  readonly title?: string;
  readonly authors?: readonly string[];
  readonly year?: number;
  readonly doi?: string;
  readonly citekey?: string;
  /** The origin of each field that is set. */
  readonly origin: Partial<Record<MetadataField, MetadataOrigin>>;
  /** What exactly was read, where the origin alone does not say (e.g. `"© 2018" on page 1`, `XMP xmp:createdate`). */
  readonly evidence?: Partial<Record<MetadataField, string>>;
}

export type MetadataField = 'title' | 'authors' | 'year' | 'doi' | 'citekey';
