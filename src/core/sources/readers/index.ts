/**
 * Reading one file as a Source, with no note involved: what a linked-source reader does once a link is resolved,
 * and what a library indexer or a batch run does with a file it found itself.
 */
import type { ExtractionCache } from '../../cache/extractionCache';
import { isAssistantError, isCancellationError, throwIfAborted } from '../../errors';
import { NoteParser, type ParsedNote } from '../../markdown/parseNote';
import type { FileReader, WorkspaceIndex } from '../../ports/files';
import { nullLogger, type Logger } from '../../ports/logger';
import { DEFAULT_LIMITS, formatBytes, kindOf, maxBytesFor, type SourceLimits } from '../kinds';
import type { Source, SourceKind } from '../types';
import { extname, workspaceRelative } from '../uri';
import { readMarkdown } from './markdown';
import { PdfReader, type PdfTextExtractor } from './pdf';
import { anchorSuffix, problemSource, stampOf, type ReadTarget } from './result';
import { readPlainText } from './text';

export { anchorSuffix, fileSource, problemSource, type ReadTarget } from './result';
export { noteTitle, readMarkdown } from './markdown';
export { NOT_EXTRACTED, PdfReader, pdfSource, pdfTitle, type PdfReaderDeps, type PdfTextExtractor } from './pdf';
export { htmlToText, readPlainText } from './text';

export interface SourceFileReaderDeps {
  readonly files: FileReader;
  /** The workspace's folders name files by their relative path in ids and messages; absolute paths without it. */
  readonly workspace?: Pick<WorkspaceIndex, 'folders'>;
  readonly pdf: () => Promise<PdfTextExtractor>;
  readonly cache?: ExtractionCache;
  readonly logger?: Logger;
  readonly limits?: Partial<SourceLimits>;
  /** PDF extractions run at once (default 1; see PdfReaderDeps). */
  readonly extractions?: number;
  /** Parses markdown (a reader that parses notes too shares its NoteParser); default a parser of its own. */
  readonly parseMarkdown?: (text: string) => ParsedNote;
}

export interface ReadSourceOptions {
  /** The kind to read it as; default by extension. */
  readonly kind?: SourceKind;
  /** Only this part of the file. */
  readonly anchor?: ReadTarget['anchor'];
  /** A title known from elsewhere (e.g. a bibliography entry). */
  readonly title?: string;
}

/** Reads files as sources by kind: PDFs through the extraction cache, markdown by its structure, text as it is. */
export class SourceFileReader {
  readonly limits: SourceLimits;
  private readonly logger: Logger;
  private readonly pdfs: PdfReader;
  private readonly parseMarkdown: (text: string) => ParsedNote;

  constructor(private readonly deps: SourceFileReaderDeps) {
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
    this.logger = deps.logger ?? nullLogger;
    const parser = deps.parseMarkdown ? undefined : new NoteParser();
    this.parseMarkdown = deps.parseMarkdown ?? ((text) => (parser as NoteParser).parse(text));
    this.pdfs = new PdfReader({
      files: deps.files,
      pdf: deps.pdf,
      ...(deps.cache ? { cache: deps.cache } : {}),
      logger: this.logger,
      maxPages: this.limits.maxPdfPages,
      ...(deps.extractions ? { extractions: deps.extractions } : {}),
    });
  }

  /** How ids and messages name a file: workspace-relative when inside a folder, else its path. */
  nameOf(uri: string): string {
    return workspaceRelative(uri, this.deps.workspace?.folders() ?? []);
  }

  /**
   * One file as a source, checked first like a linked file (exists, supported, within the size limits).
   * Never throws for a bad file (the Source says why, naming it); throws only on cancellation.
   */
  async readSource(uri: string, signal: AbortSignal, options: ReadSourceOptions = {}): Promise<Source> {
    throwIfAborted(signal);
    const name = this.nameOf(uri);
    const kind = options.kind ?? kindOf(uri);
    const base = {
      uri,
      name,
      id: `${name}${anchorSuffix(options.anchor)}`,
      ...(options.anchor ? { anchor: options.anchor } : {}),
      ...(options.title ? { title: options.title } : {}),
    };
    const title = options.title ?? name;
    if (!kind)
      return problemSource(
        { ...base, kind: 'text' },
        title,
        'unsupported',
        `${name}: unsupported file type (${extname(uri) || 'no extension'})`,
      );
    const target: ReadTarget = { ...base, kind };
    const stat = await this.deps.files.stat(uri, signal);
    if (!stat) return problemSource(target, title, 'missing', `${name}: file not found`);
    const max = maxBytesFor(kind, this.limits);
    if (stat.size > max)
      return problemSource(target, title, 'tooLarge', `${name}: ${formatBytes(stat.size)} is over the ${formatBytes(max)} limit`);
    return this.read({ ...target, stamp: stampOf(stat) }, signal);
  }

  /**
   * A file already checked (resolved link) as a source. An unreadable file gives a Source saying why;
   * cancellation throws. With `extract` false a PDF not extracted before is not extracted now.
   */
  async read(target: ReadTarget, signal: AbortSignal, extract = true): Promise<Source> {
    try {
      if (target.kind === 'pdf') return await this.pdfs.read(target, signal, extract);
      const text = await this.deps.files.readText(target.uri, signal);
      if (target.kind === 'markdown') return readMarkdown(target, this.parseMarkdown(text));
      return readPlainText(target, text);
    } catch (error) {
      if (isCancellationError(error)) throw error;
      const { name } = target;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`source ${name}: ${message}`);
      const reason = isAssistantError(error) ? String(error.data['reason'] ?? '') : '';
      return problemSource(
        target,
        target.title ?? name,
        reason === 'imageOnly' || reason === 'empty' ? 'noText' : 'unreadable',
        message.startsWith(name) ? message : `${name}: ${message}`,
      );
    }
  }
}
