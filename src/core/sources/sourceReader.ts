import type { AssistantConfig } from '../config';
import { AssistantError, isCancellationError, throwIfAborted } from '../errors';
import { contentHash, type ExtractionCache } from '../cache/extractionCache';
import type { NoteLink } from '../markdown/links';
import { lineAt, parseNote, type ParsedNote } from '../markdown/parseNote';
import { blockSection, headingSection, normaliseHeading, noteSections } from '../markdown/sections';
import type { PdfExtraction, PdfExtractOptions } from '../pdf/types';
import { pageMarker } from '../pdf/types';
import type { NoteDocument } from '../ports/document';
import type { FileReader, FileStamp, WorkspaceIndex } from '../ports/files';
import { nullLogger, type Logger } from '../ports/logger';
import { attachmentUri, parseCslJson, pickPdf, type BibEntry, type BibtexParser } from './bibliography';
import type { CollectedSources, CollectOptions, LinkStatus, SourceReader } from './reader';
import { estimateTokens } from '../llm/tokens';
import type { Source, SourceKind, SourceLink, SourceSection, SourceStatus } from './types';
import { basename, dirname, extname, fileUri, isInside, resolveRelative, uriKey, workspaceRelative } from './uri';

/** Turns PDF bytes into clean text (src/pdf/engine.ts behind a lazy loader in the extension). */
export interface PdfTextExtractor {
  extract(bytes: Uint8Array, options: PdfExtractOptions): Promise<PdfExtraction>;
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

export interface SourceReaderDeps {
  readonly files: FileReader;
  readonly workspace: WorkspaceIndex;
  /** Loaded on first use: the PDF engine is a separate, lazily loaded bundle. */
  readonly pdf: () => Promise<PdfTextExtractor>;
  readonly bibtex: () => Promise<BibtexParser>;
  readonly config: (noteUri: string) => AssistantConfig;
  /** Workspace trust: linked files are read only in a trusted workspace. */
  readonly isTrusted: () => boolean;
  readonly cache?: ExtractionCache;
  readonly logger?: Logger;
  readonly limits?: Partial<SourceLimits>;
}

const KINDS: Readonly<Record<string, SourceKind>> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.pdf': 'pdf',
  '.txt': 'text',
  '.tex': 'tex',
  '.html': 'html',
  '.htm': 'html',
};

export function kindOf(nameOrUri: string): SourceKind | undefined {
  return KINDS[extname(nameOrUri)];
}

/** A link resolved to a file (or to why it could not be). */
interface Target {
  readonly link: NoteLink;
  readonly uri?: string;
  readonly kind?: SourceKind;
  readonly status: SourceStatus;
  readonly detail?: string;
  readonly title?: string;
  /** Size and mtime from the check, taken before any read (the extraction cache's in-session key). */
  readonly stamp?: FileStamp;
}

/**
 * Linked files read at once: a cached paper costs a read and a hash (Web Crypto hashes off the main thread),
 * so several overlap; extractions still run one at a time (the engine parallelises one PDF's pages itself).
 */
const READ_CONCURRENCY = 4;

interface Bibliography {
  readonly entries: ReadonlyMap<string, { entry: BibEntry; bibUri: string }>;
  readonly problems: readonly string[];
}

/** Reads notes and what they link to: markdown-it for the note, Obsidian name resolution, citekeys, PDFs. */
export class DefaultSourceReader implements SourceReader {
  private readonly logger: Logger;
  private readonly limits: SourceLimits;
  /** The last extraction started: the next one waits for it (see READ_CONCURRENCY). */
  private extracting: Promise<unknown> = Promise.resolve();
  /** Sections of the notes read in this session, by parse (see sectionsOf). */
  private readonly noteSections = new WeakMap<ParsedNote, { readonly title: string; readonly sections: SourceSection[] }>();
  /** The last few bibliographies parsed, by URI (see parseBibliography). */
  private readonly bibliographies = new Map<string, { readonly text: string; readonly entries: readonly BibEntry[] }>();

  constructor(private readonly deps: SourceReaderDeps) {
    this.logger = deps.logger ?? nullLogger;
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
  }

  links(document: NoteDocument): readonly NoteLink[] {
    return parseNote(document.getText()).links;
  }

  async linkStatus(document: NoteDocument, links: readonly NoteLink[], signal: AbortSignal): Promise<readonly LinkStatus[]> {
    if (!this.deps.isTrusted()) return links.map((link) => ({ link, status: 'untrusted' as const }));
    const config = this.deps.config(document.uri);
    const bibliography = links.some((l) => l.citekey !== undefined)
      ? await this.loadBibliography(document.uri, parseNote(document.getText()), config, signal)
      : undefined;
    const targets = await Promise.all(links.map((link) => this.resolve(link, document.uri, bibliography, config, signal)));
    return targets.map((t) => ({ link: t.link, status: t.status, ...(t.detail ? { detail: t.detail } : {}) }));
  }

  async collect(document: NoteDocument, options: CollectOptions): Promise<CollectedSources> {
    return this.collectWith(document, options, true);
  }

  /**
   * Loads the note's linked PDFs into the session's memory ahead of an action (e.g. when the note is opened),
   * so the first action neither reads nor hashes them. Only what the persisted cache already holds: nothing is
   * extracted. Returns how many PDFs are now held; nothing in an untrusted workspace or without a cache.
   */
  async warm(document: NoteDocument, signal: AbortSignal, maxPdfs = 16): Promise<number> {
    if (!this.deps.cache || !this.deps.isTrusted()) return 0;
    // An index note linking hundreds of papers is not read in full on opening: the first few links only.
    const pdfLinks = parseNote(document.getText()).links.filter((l) => l.citekey !== undefined || kindOf(l.target) === 'pdf');
    const last = pdfLinks[Math.min(maxPdfs, pdfLinks.length) - 1];
    if (!last) return 0;
    const collected = await this.collectWith(document, { links: { start: 0, end: last.end }, kinds: ['pdf'], signal }, false);
    return collected.sources.filter((s) => s.status === 'ok').length;
  }

  private async collectWith(document: NoteDocument, options: CollectOptions, extract: boolean): Promise<CollectedSources> {
    const { signal } = options;
    const text = document.getText();
    const note = parseNote(text);
    const noteSource = this.noteSource(document, note, options);
    const wanted = options.links ?? 'all';
    const chosen =
      wanted === 'none'
        ? []
        : wanted === 'all'
          ? note.links
          : note.links.filter(
              (l) =>
                (l.start < wanted.end && l.end > wanted.start) ||
                (wanted.start === wanted.end && l.start <= wanted.start && wanted.start <= l.end),
            );
    const trusted = this.deps.isTrusted();
    const config = this.deps.config(document.uri);
    const sources: Source[] = [];
    if (chosen.length > 0 && !trusted) {
      for (const link of dedupeLinks(chosen)) {
        sources.push(
          problem(
            link,
            document.uri,
            link.target || `@${link.citekey ?? ''}`,
            'untrusted',
            'The workspace is not trusted: linked files are not read until you trust it (Manage Workspace Trust).',
          ),
        );
      }
    } else if (chosen.length > 0) {
      const bibliography = chosen.some((l) => l.citekey !== undefined)
        ? await this.loadBibliography(document.uri, note, config, signal)
        : undefined;
      // Each resolution is a stat or two: all at once rather than one after another.
      const targets = await Promise.all(chosen.map((link) => this.resolve(link, document.uri, bibliography, config, signal)));
      const seen = new Set<string>();
      const readable = targets.filter((t) => {
        if (t.kind === 'markdown' && !config.readLinkedNotes && t.status === 'ok') return false;
        // Unresolved links count as the kind they name (citations name papers; bare wikilinks name notes).
        const kind = t.kind ?? (t.link.citekey !== undefined ? 'pdf' : (kindOf(t.link.target) ?? 'markdown'));
        if (options.kinds && !options.kinds.includes(kind)) return false;
        const key = `${t.uri ? uriKey(t.uri) : t.link.raw}#${anchorKey(t.link)}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      const read = new Array<Source>(readable.length);
      let next = 0;
      let done = 0;
      const worker = async (): Promise<void> => {
        while (next < readable.length) {
          throwIfAborted(signal);
          const i = next++;
          const target = readable[i] as Target;
          options.progress?.report(`${basename(target.uri ?? target.link.target)} (${i + 1}/${readable.length})`, done / readable.length);
          read[i] = await this.read(target, document.uri, signal, extract);
          done++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, readable.length) }, worker));
      sources.push(...read);
    }
    const totalTokens = noteSource.tokenEstimate + sources.filter((s) => s.status === 'ok').reduce((n, s) => n + s.tokenEstimate, 0);
    return { note: noteSource, sources, links: note.links, totalTokens, untrusted: !trusted && chosen.length > 0 };
  }

  private noteSource(document: NoteDocument, note: ParsedNote, options: CollectOptions): Source {
    const title = noteTitle(note, document.uri);
    const id = workspaceRelative(document.uri, this.deps.workspace.folders());
    const selection = options.selection;
    if (selection && selection.end > selection.start) {
      const text = note.text.slice(selection.start, selection.end);
      const line = lineAt(note.lineStarts, selection.start);
      return {
        id: `${id}#selection`,
        uri: document.uri,
        title,
        kind: 'selection',
        status: 'ok',
        text,
        sections: [{ title, level: 0, text, location: { line: Math.max(0, line) }, role: 'body' }],
        tokenEstimate: estimateTokens(text),
      };
    }
    const sections = this.sectionsOf(note, title);
    const body = note.text.slice(note.lineStarts[note.bodyStartLine] ?? 0);
    return {
      id,
      uri: document.uri,
      title,
      kind: 'note',
      status: body.trim() === '' ? 'noText' : 'ok',
      text: body,
      sections,
      tokenEstimate: estimateTokens(body),
    };
  }

  /** A note's sections, kept by its parse (the parse of unchanged text is reused, src/core/markdown/parseNote.ts). */
  private sectionsOf(note: ParsedNote, title: string): SourceSection[] {
    const known = this.noteSections.get(note);
    if (known?.title === title) return known.sections;
    const sections = noteSections(note, title);
    this.noteSections.set(note, { title, sections });
    return sections;
  }

  private async loadBibliography(noteUri: string, note: ParsedNote, config: AssistantConfig, signal: AbortSignal): Promise<Bibliography> {
    const declared = note.frontMatter?.['bibliography'];
    const paths: { path: string; base: string }[] = [];
    const fromNote =
      typeof declared === 'string' ? [declared] : Array.isArray(declared) ? declared.filter((d): d is string => typeof d === 'string') : [];
    for (const p of fromNote) paths.push({ path: p, base: dirname(noteUri) });
    if (paths.length === 0 && config.bibliography.trim() !== '') {
      const folder = this.deps.workspace.folders()[0];
      paths.push({ path: config.bibliography.trim(), base: folder ? `${folder}/` : dirname(noteUri) });
    }
    const entries = new Map<string, { entry: BibEntry; bibUri: string }>();
    const problems: string[] = [];
    for (const { path, base } of paths) {
      const uri = path.startsWith('/') ? fileUri(path) : resolveRelative(path, base);
      try {
        const stat = await this.deps.files.stat(uri, signal);
        if (!stat) {
          problems.push(`bibliography ${path} not found`);
          continue;
        }
        const text = await this.deps.files.readText(uri, signal);
        const list = await this.parseBibliography(uri, path, text);
        for (const entry of list) if (!entries.has(entry.key)) entries.set(entry.key, { entry, bibUri: uri });
        this.logger.debug(`bibliography ${path}: ${list.length} entries`);
      } catch (error) {
        if (isCancellationError(error)) throw error;
        problems.push(`bibliography ${path} could not be read: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (paths.length === 0) problems.push('no bibliography: add `bibliography:` to the front matter or set researchAssistant.bibliography');
    return { entries, problems };
  }

  /**
   * A bibliography's entries, parsed once per content: a Zotero export of thousands of entries takes far longer
   * to parse than to read, and every action on a note with citations needs it. Keyed by the exact text, so an
   * edit (saved or not) parses anew.
   */
  private async parseBibliography(uri: string, path: string, text: string): Promise<readonly BibEntry[]> {
    const known = this.bibliographies.get(uri);
    if (known?.text === text) return known.entries;
    const entries = /\.json$/i.test(path) ? parseCslJson(text) : await (await this.deps.bibtex()).parse(text);
    this.bibliographies.delete(uri);
    if (this.bibliographies.size >= 8) this.bibliographies.delete(this.bibliographies.keys().next().value ?? '');
    this.bibliographies.set(uri, { text, entries });
    return entries;
  }

  private async resolve(
    link: NoteLink,
    noteUri: string,
    bib: Bibliography | undefined,
    config: AssistantConfig,
    signal: AbortSignal,
  ): Promise<Target> {
    const folders = this.deps.workspace.folders();
    if (link.citekey !== undefined) {
      const found = bib?.entries.get(link.citekey);
      if (!found) {
        return {
          link,
          status: 'missing',
          detail: `@${link.citekey}: not in the bibliography${bib && bib.problems.length > 0 ? ` (${bib.problems.join('; ')})` : ''}`,
        };
      }
      const title = found.entry.title;
      const pdf = pickPdf(found.entry);
      if (!pdf)
        return { link, status: 'missing', detail: `@${link.citekey}: no PDF attached in the bibliography`, ...(title ? { title } : {}) };
      const where = attachmentUri(pdf.path, found.bibUri);
      if (where.windows || !where.uri)
        return {
          link,
          status: 'missing',
          detail: `@${link.citekey}: attachment ${pdf.path} is a Windows path, not found on this machine`,
          ...(title ? { title } : {}),
        };
      return this.checkFile(link, where.uri, folders, config, signal, title, true);
    }
    const target = link.target;
    if (link.form === 'wikilink' || link.form === 'embed') {
      const uri = await this.byName(target, noteUri, signal);
      if (!uri) return { link, status: 'missing', detail: `${target}: no file with this name in the workspace` };
      return this.checkFile(link, uri, folders, config, signal);
    }
    let uri: string;
    if (target.startsWith('file:')) uri = target;
    else if (target.startsWith('/') && folders[0]) uri = resolveRelative(target.slice(1), `${folders[0]}/`);
    else uri = resolveRelative(target, dirname(noteUri));
    const checked = await this.checkFile(link, uri, folders, config, signal);
    if (checked.status === 'missing' && !target.includes('/')) {
      // Obsidian resolves plain names in markdown links by name too.
      const byName = await this.byName(target, noteUri, signal);
      if (byName) return this.checkFile(link, byName, folders, config, signal);
    }
    return checked;
  }

  /** Obsidian: by file name anywhere in the workspace, case-insensitive, `.md` implied, shortest path wins. */
  private async byName(target: string, noteUri: string, signal: AbortSignal): Promise<string | undefined> {
    const name = target
      .replace(/\\/g, '/')
      .replace(/^\.?\//, '')
      .toLowerCase();
    const wanted = kindOf(name) ? [name] : [`${name}.md`, name];
    const files = await this.deps.workspace.files(signal);
    const noteDir = uriKey(dirname(noteUri)).toLowerCase();
    let best: { uri: string; score: [number, number, number] } | undefined;
    for (const uri of files) {
      const path = uriKey(uri).toLowerCase();
      for (const w of wanted) {
        if (path !== w && !path.endsWith(`/${w}`)) continue;
        // Same folder as the note first, then the fewest folders, then the shortest path.
        const score: [number, number, number] = [
          path.startsWith(`${noteDir}/`) && !path.slice(noteDir.length + 1).includes('/') ? 0 : 1,
          path.split('/').length,
          path.length,
        ];
        if (!best || compareScore(score, best.score) < 0) best = { uri, score };
      }
    }
    if (best) return best.uri;
    // Not in the index (e.g. created a moment ago, before the file watcher refreshed it): the note's own folder.
    const asWritten = target.replace(/\\/g, '/').replace(/^\.?\//, '');
    for (const candidate of kindOf(asWritten) ? [asWritten] : [`${asWritten}.md`, asWritten]) {
      const uri = resolveRelative(candidate, dirname(noteUri));
      if (await this.deps.files.stat(uri, signal)) return uri;
    }
    return undefined;
  }

  private async checkFile(
    link: NoteLink,
    uri: string,
    folders: readonly string[],
    config: AssistantConfig,
    signal: AbortSignal,
    title?: string,
    fromBibliography = false,
  ): Promise<Target> {
    const name = workspaceRelative(uri, folders);
    const extra = title ? { title } : {};
    const kind = kindOf(uri);
    if (!kind)
      return { link, uri, status: 'unsupported', detail: `${name}: unsupported file type (${extname(uri) || 'no extension'})`, ...extra };
    // Zotero storage usually sits outside the workspace: attachments named by the user's own bibliography are allowed.
    const inside = folders.some((f) => isInside(uri, f));
    if (!inside && !config.allowFilesOutsideWorkspace && !fromBibliography) {
      return {
        link,
        uri,
        kind,
        status: 'outsideWorkspace',
        detail: `${name}: outside the workspace folders (allow with researchAssistant.allowFilesOutsideWorkspace)`,
        ...extra,
      };
    }
    const stat = await this.deps.files.stat(uri, signal);
    if (!stat) return { link, uri, kind, status: 'missing', detail: `${name}: file not found`, ...extra };
    const max = kind === 'pdf' ? this.limits.maxPdfBytes : this.limits.maxTextBytes;
    if (stat.size > max)
      return {
        link,
        uri,
        kind,
        status: 'tooLarge',
        detail: `${name}: ${formatBytes(stat.size)} is over the ${formatBytes(max)} limit`,
        ...extra,
      };
    return { link, uri, kind, status: 'ok', stamp: { size: stat.size, mtime: stat.mtime }, ...extra };
  }

  private async read(target: Target, noteUri: string, signal: AbortSignal, extract = true): Promise<Source> {
    const { link } = target;
    const folders = this.deps.workspace.folders();
    const name = target.uri ? workspaceRelative(target.uri, folders) : link.target || `@${link.citekey ?? ''}`;
    // Ids are workspace-relative paths whenever the link resolved to a file, even a missing one.
    const id = target.uri ? `${name}${anchorSuffix(link)}` : undefined;
    if (target.status !== 'ok' || !target.uri || !target.kind) {
      return problem(link, target.uri ?? noteUri, target.title ?? name, target.status, target.detail ?? name, target.kind, undefined, id);
    }
    if (uriKey(target.uri) === uriKey(noteUri)) {
      return problem(link, target.uri, name, 'cycle', `${name}: the note links to itself`, target.kind, undefined, id);
    }
    const sourceId = `${name}${anchorSuffix(link)}`;
    try {
      if (target.kind === 'pdf') return await this.readPdf(target, sourceId, name, signal, extract);
      const text = await this.deps.files.readText(target.uri, signal);
      if (target.kind === 'markdown') return this.readMarkdown(target, sourceId, name, text);
      const body = target.kind === 'html' ? htmlToText(text) : text;
      const title = target.title ?? basename(target.uri);
      return ok(link, target.uri, sourceId, title, target.kind, body, [{ title, level: 0, text: body, location: {}, role: 'body' }]);
    } catch (error) {
      if (isCancellationError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`source ${name}: ${message}`);
      const reason = error instanceof AssistantError ? String(error.data['reason'] ?? '') : '';
      return problem(
        link,
        target.uri,
        target.title ?? name,
        reason === 'imageOnly' || reason === 'empty' ? 'noText' : 'unreadable',
        message.startsWith(name) ? message : `${name}: ${message}`,
        target.kind,
        undefined,
        sourceId,
      );
    }
  }

  private readMarkdown(target: Target, id: string, name: string, text: string): Source {
    const { link } = target;
    const uri = target.uri ?? '';
    const parsed = parseNote(text);
    const title = target.title ?? noteTitle(parsed, uri);
    const anchor = link.anchor;
    if (anchor?.kind === 'heading') {
      const section = headingSection(parsed, anchor.heading);
      if (!section) return problem(link, uri, title, 'missing', `${name}: no heading "${anchor.heading}"`, 'markdown', undefined, id);
      return ok(link, uri, id, `${title} § ${section.title}`, 'markdown', section.text, [
        { title: section.title, level: 1, text: section.text, location: { line: section.line, heading: section.title }, role: 'body' },
      ]);
    }
    if (anchor?.kind === 'block') {
      const block = blockSection(parsed, anchor.id);
      if (!block) return problem(link, uri, title, 'missing', `${name}: no block ^${anchor.id}`, 'markdown', undefined, id);
      return ok(link, uri, id, `${title} ^${anchor.id}`, 'markdown', block.text, [
        { title, level: 0, text: block.text, location: { line: block.line }, role: 'body' },
      ]);
    }
    const body = parsed.text.slice(parsed.lineStarts[parsed.bodyStartLine] ?? 0);
    return ok(link, uri, id, title, 'markdown', body, noteSections(parsed, title));
  }

  /** Extracts and caches one PDF, after any extraction already running. */
  private extract(bytes: Uint8Array, hash: string, name: string, signal: AbortSignal): Promise<PdfExtraction> {
    const run = async (): Promise<PdfExtraction> => {
      throwIfAborted(signal);
      // Another read of the same bytes may have extracted them meanwhile.
      const cached = await this.deps.cache?.get(hash);
      if (cached) return cached;
      const started = performance.now();
      const extractor = await this.deps.pdf();
      const extraction = await extractor.extract(bytes, { name, maxPages: this.limits.maxPdfPages, signal });
      this.logger.info(
        `PDF ${name}: ${extraction.pagesRead}/${extraction.pageCount} pages, ${extraction.characters} chars in ${(performance.now() - started).toFixed(0)} ms ${JSON.stringify(extraction.stats)}`,
      );
      await this.deps.cache?.set(hash, extraction);
      return extraction;
    };
    const result = this.extracting.then(run, run);
    this.extracting = result.catch(() => undefined);
    return result;
  }

  private async readPdf(target: Target, id: string, name: string, signal: AbortSignal, extract = true): Promise<Source> {
    const uri = target.uri ?? '';
    const { cache } = this.deps;
    const { stamp } = target;
    // Unchanged since it was last read in this session (same size and mtime): neither read nor hashed again.
    let hash = stamp ? cache?.hashFor(uri, stamp) : undefined;
    let extraction = hash === undefined ? undefined : await cache?.get(hash);
    if (!extraction || hash === undefined) {
      const bytes = await this.deps.files.readBytes(uri, signal);
      const bytesHash = await contentHash(bytes);
      hash = bytesHash;
      extraction = await cache?.get(bytesHash);
      // The stamp was taken before the read: a file changed since has a newer stamp and is read again.
      if (stamp && extraction) cache?.rememberHash(uri, stamp, bytesHash);
      if (!extraction && !extract)
        return problem(target.link, uri, target.title ?? name, 'unreadable', `${name}: not extracted yet`, 'pdf', bytesHash, id);
      if (!extraction) {
        extraction = await this.extract(bytes, bytesHash, name, signal);
        if (stamp) cache?.rememberHash(uri, stamp, bytesHash);
      }
    }
    const title = target.title ?? pdfTitle(extraction, uri);
    const truncated =
      extraction.pagesRead < extraction.pageCount
        ? `${name}: only the first ${extraction.pagesRead} of ${extraction.pageCount} pages were read (page limit)`
        : undefined;
    const anchor = target.link.anchor;
    if (anchor?.kind === 'page') {
      const from = Math.max(1, anchor.from);
      const to = Math.min(extraction.pagesRead, anchor.to);
      if (from > to)
        return problem(
          target.link,
          uri,
          title,
          'missing',
          `${name}: no page ${anchor.from} (the PDF has ${extraction.pageCount})`,
          'pdf',
          hash,
          id,
        );
      const parts: string[] = [];
      const sections: SourceSection[] = [];
      for (let p = from; p <= to; p++) {
        const pageText = extraction.pages[p - 1] ?? '';
        parts.push(`${pageMarker(p)}\n\n${pageText}`);
        sections.push({
          title: `${title}, p. ${p}`,
          level: 1,
          text: `${pageMarker(p)}\n\n${pageText}`,
          location: { page: p },
          role: 'body',
        });
      }
      const text = parts.join('\n\n');
      return {
        ...ok(target.link, uri, id, `${title} (p. ${from === to ? from : `${from}–${to}`})`, 'pdf', text, sections),
        contentHash: hash,
      };
    }
    if (anchor?.kind === 'heading') {
      // [[paper.pdf#Methods]]: the detected section of that title ("2 Methods", "METHODS" match too).
      const wanted = normaliseHeading(anchor.heading);
      const section = extraction.sections.find(
        (s) => normaliseHeading(s.title.replace(/^((\d+\.)*\d+|[IVX]+)\.?\s+/, '')) === wanted || normaliseHeading(s.title) === wanted,
      );
      if (!section) return problem(target.link, uri, title, 'missing', `${name}: no section "${anchor.heading}" detected`, 'pdf', hash, id);
      return { ...ok(target.link, uri, id, `${title} § ${section.title}`, 'pdf', section.text, [section]), contentHash: hash };
    }
    const source = ok(target.link, uri, id, title, 'pdf', extraction.text, extraction.sections);
    return { ...source, contentHash: hash, ...(truncated ? { statusDetail: truncated } : {}) };
  }
}

function compareScore(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function anchorKey(link: NoteLink): string {
  const a = link.anchor;
  if (!a) return '';
  return a.kind === 'page' ? `page=${a.from}-${a.to}` : a.kind === 'block' ? `^${a.id}` : a.heading.toLowerCase();
}

function anchorSuffix(link: NoteLink): string {
  const a = link.anchor;
  if (!a) return '';
  return a.kind === 'page' ? `#page=${a.from === a.to ? a.from : `${a.from}-${a.to}`}` : a.kind === 'block' ? `#^${a.id}` : `#${a.heading}`;
}

function dedupeLinks(links: readonly NoteLink[]): NoteLink[] {
  const seen = new Set<string>();
  return links.filter((l) => {
    const key = `${l.citekey ?? l.target}#${anchorKey(l)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sourceLink(link: NoteLink): SourceLink {
  return {
    raw: link.raw,
    start: link.start,
    end: link.end,
    line: link.line,
    ...(link.citekey === undefined ? {} : { citekey: link.citekey }),
  };
}

function ok(
  link: NoteLink,
  uri: string,
  id: string,
  title: string,
  kind: SourceKind,
  text: string,
  sections: readonly SourceSection[],
): Source {
  if (text.trim() === '') return problem(link, uri, title, 'noText', `${id}: no text`, kind, undefined, id);
  return { id, uri, title, kind, status: 'ok', text, sections, tokenEstimate: estimateTokens(text), link: sourceLink(link) };
}

function problem(
  link: NoteLink,
  uri: string,
  title: string,
  status: SourceStatus,
  detail: string,
  kind?: SourceKind,
  hash?: string,
  knownId?: string,
): Source {
  const id = knownId ?? (link.citekey !== undefined ? `@${link.citekey}` : `${link.target}${anchorSuffix(link)}`);
  return {
    id,
    uri,
    title,
    kind: kind ?? kindOf(link.target) ?? 'text',
    status,
    statusDetail: detail,
    text: '',
    sections: [],
    tokenEstimate: 0,
    link: sourceLink(link),
    ...(hash ? { contentHash: hash } : {}),
  };
}

function noteTitle(note: ParsedNote, uri: string): string {
  const fm = note.frontMatter?.['title'];
  if (typeof fm === 'string' && fm.trim() !== '') return fm.trim();
  const h1 = note.headings.find((h) => h.level === 1);
  if (h1) return h1.text;
  return basename(uri).replace(/\.(md|markdown)$/i, '');
}

function pdfTitle(extraction: PdfExtraction, uri: string): string {
  const first = extraction.sections[0];
  if (first && first.title !== 'Front matter' && first.level === 1 && first.location.page === 1 && first.title.length > 10)
    return first.title;
  return basename(uri).replace(/\.pdf$/i, '');
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/** Visible text of an HTML page: scripts/styles dropped, tags removed, common entities decoded. */
function htmlToText(html: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<(br|\/p|\/div|\/h\d|\/li|\/tr)[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (m, e: string) =>
      e.startsWith('#x')
        ? String.fromCodePoint(parseInt(e.slice(2), 16))
        : e.startsWith('#')
          ? String.fromCodePoint(Number(e.slice(1)))
          : (entities[e.toLowerCase()] ?? m),
    )
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n\s*/g, '\n\n')
    .trim();
}
