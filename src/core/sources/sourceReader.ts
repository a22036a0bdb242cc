/**
 * Reads a note and what it links to: the note (or selection) itself, its links resolved to files
 * (linkResolver.ts) and those files read as sources (readers/).
 */
import type { AssistantConfig } from '../config';
import { throwIfAborted } from '../errors';
import type { ExtractionCache } from '../cache/extractionCache';
import type { NoteLink } from '../markdown/links';
import { lineAt, NoteParser, type ParsedNote } from '../markdown/parseNote';
import { noteSections } from '../markdown/sections';
import type { NoteDocument } from '../ports/document';
import type { FileReader, KeyValueStore, WorkspaceIndex } from '../ports/files';
import { nullLogger, type Logger } from '../ports/logger';
import { estimateTokens } from '../llm/tokens';
import type { BibEntry, BibtexParser } from './bibliography';
import { kindOf, type SourceLimits } from './kinds';
import { anchorKey, LinkResolver, type LinkTarget } from './linkResolver';
import { anchorSuffix, NOT_EXTRACTED, noteTitle, SourceFileReader, type PdfTextExtractor, type ReadSourceOptions } from './readers';
import type { CollectedSources, CollectOptions, LinkStatus, SourceReader } from './reader';
import type { Source, SourceLink, SourceSection } from './types';
import { basename, uriKey, workspaceRelative } from './uri';

export { DEFAULT_LIMITS, kindOf, type SourceLimits } from './kinds';
export type { PdfTextExtractor } from './readers';

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
  /** Where parsed bibliographies persist across sessions (by content hash); memory only without it. */
  readonly store?: KeyValueStore;
  readonly logger?: Logger;
  readonly limits?: Partial<SourceLimits>;
  /**
   * Parses notes and linked notes; default a parser of the reader's own. The assistant shares one with its
   * tasks (placement, the input check), so a note is parsed once per text whoever asks first.
   */
  readonly parser?: NoteParser;
}

/**
 * Linked files read at once: a cached paper costs a read (which overlaps with others) and a hash (a few ms of CPU
 * for a paper); extractions still run one at a time (the engine parallelises one PDF's pages itself).
 */
const READ_CONCURRENCY = 4;

/** Unextracted papers of a note whose first pages warm the PDF engine when the note opens (see warm()). */
const WARM_UP_SAMPLES = 3;
/** A paper larger than this is no warm-up sample: its bytes would be copied to every worker for a few pages. */
const WARM_UP_MAX_BYTES = 32 * 1024 * 1024;

/** Reads notes and what they link to: markdown-it for the note, Obsidian name resolution, citekeys, PDFs. */
export class DefaultSourceReader implements SourceReader {
  /** Reads one file as a source, with or without a note (see `readSource`). */
  readonly fileReader: SourceFileReader;
  private readonly resolver: LinkResolver;
  /** The recent parses of notes and linked notes. */
  private readonly parser: NoteParser;
  /** Sections of the notes read in this session, by parse (see sectionsOf). */
  private readonly noteSections = new WeakMap<ParsedNote, { readonly title: string; readonly sections: SourceSection[] }>();

  constructor(private readonly deps: SourceReaderDeps) {
    this.parser = deps.parser ?? new NoteParser();
    const logger = deps.logger ?? nullLogger;
    this.fileReader = new SourceFileReader({
      files: deps.files,
      workspace: deps.workspace,
      pdf: deps.pdf,
      ...(deps.cache ? { cache: deps.cache } : {}),
      logger,
      ...(deps.limits ? { limits: deps.limits } : {}),
      parseMarkdown: (text) => this.parser.parse(text),
    });
    this.resolver = new LinkResolver({
      files: deps.files,
      workspace: deps.workspace,
      bibtex: deps.bibtex,
      ...(deps.store ? { store: deps.store } : {}),
      logger,
      ...(deps.limits ? { limits: deps.limits } : {}),
      parseMarkdown: (text) => this.parser.parse(text),
    });
  }

  links(document: NoteDocument): readonly NoteLink[] {
    return this.parser.parse(document.getText()).links;
  }

  /**
   * One file as a source with no note involved (a library indexer, a batch run): checked like a linked file
   * (kind, existence, size limit) and read through the same extraction cache. Never throws for a bad file.
   */
  readSource(uri: string, signal: AbortSignal, options: ReadSourceOptions = {}): Promise<Source> {
    return this.fileReader.readSource(uri, signal, options);
  }

  async collect(document: NoteDocument, options: CollectOptions): Promise<CollectedSources> {
    return this.collectWith(document, options, true);
  }

  async linkStatus(document: NoteDocument, links: readonly NoteLink[], signal: AbortSignal): Promise<readonly LinkStatus[]> {
    const note = this.parser.parse(document.getText());
    const config = this.deps.config(document.uri);
    const targets = await this.resolver.resolveAll(document.uri, note, links, config, this.deps.isTrusted(), signal);
    return targets.map((t) => ({ link: t.link, status: t.status, ...(t.detail ? { detail: t.detail } : {}) }));
  }

  bibliographyEntries(document: NoteDocument, signal: AbortSignal): Promise<ReadonlyMap<string, BibEntry>> {
    const note = this.parser.parse(document.getText());
    return this.resolver.attachmentEntries(document.uri, note, this.deps.config(document.uri), this.deps.isTrusted(), signal);
  }

  citekeys(document: NoteDocument, signal: AbortSignal): Promise<ReadonlyMap<string, string>> {
    const note = this.parser.parse(document.getText());
    return this.resolver.attachmentKeys(document.uri, note, this.deps.config(document.uri), this.deps.isTrusted(), signal);
  }

  /**
   * Loads the note's linked PDFs into the session's memory ahead of an action (e.g. when the note is opened),
   * so the first action neither reads nor hashes them. Only what the persisted cache already holds: nothing is
   * extracted. Returns how many PDFs are now held; nothing in an untrusted workspace or without a cache.
   */
  async warm(document: NoteDocument, signal: AbortSignal, maxPdfs = 16): Promise<number> {
    if (!this.deps.cache || !this.deps.isTrusted()) return 0;
    // An index note linking hundreds of papers is not read in full on opening: the first few links only.
    const pdfLinks = this.links(document).filter((l) => l.citekey !== undefined || kindOf(l.target) === 'pdf');
    const last = pdfLinks[Math.min(maxPdfs, pdfLinks.length) - 1];
    if (!last) return 0;
    const collected = await this.collectWith(document, { links: { start: 0, end: last.end }, kinds: ['pdf'], signal }, false);
    // Papers not extracted yet will be by the first action: start the engine now, in the background, on the first
    // pages of a few of them, so the first action pays neither for starting it nor for compiling its code. A few,
    // not one: papers differ in the fonts they embed (Type 1, CFF, TrueType), and each kind has its own code.
    const unextracted = collected.sources
      .filter((s) => s.kind === 'pdf' && s.statusDetail?.endsWith(NOT_EXTRACTED) === true)
      .slice(0, WARM_UP_SAMPLES);
    if (unextracted.length > 0)
      void this.deps
        .pdf()
        .then(async (engine) => {
          if (!engine.prewarm) return; // an engine without a warm-up: nothing to read for it
          const samples = await Promise.all(unextracted.map((s) => this.deps.files.readBytes(s.uri, signal)));
          await engine.prewarm(samples.filter((bytes) => bytes.byteLength <= WARM_UP_MAX_BYTES));
        })
        .catch((error: unknown) =>
          (this.deps.logger ?? nullLogger).debug(`PDF engine warm-up failed: ${error instanceof Error ? error.message : String(error)}`),
        );
    return collected.sources.filter((s) => s.status === 'ok').length;
  }

  private async collectWith(document: NoteDocument, options: CollectOptions, extract: boolean): Promise<CollectedSources> {
    const { signal } = options;
    const note = this.parser.parse(document.getText());
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
    // A large Zotero export takes seconds to parse the first time: say so rather than wait silently.
    if (trusted && chosen.some((l) => l.citekey !== undefined)) options.progress?.report('Reading the bibliography…');
    const targets = await this.resolver.resolveAll(document.uri, note, chosen, config, trusted, signal);
    const sources: Source[] = [];
    if (!trusted) {
      sources.push(...targets.map((t) => this.unread(t, document.uri)));
    } else {
      const seen = new Set<string>();
      const readable = targets.filter((t) => {
        if (t.kind === 'markdown' && !config.readLinkedNotes && t.status === 'ok') return false;
        // Unresolved links count as the kind they name (citations name papers; bare wikilinks name notes).
        const kind = t.kind ?? (t.link.citekey !== undefined ? 'pdf' : (kindOf(t.link.target) ?? 'markdown'));
        if (options.kinds && !options.kinds.includes(kind)) return false;
        // Unresolved citations count by key: `[@a; @b]` and `[@b; @c]` report a, b and c once each.
        const key = `${t.uri ? uriKey(t.uri) : t.link.citekey !== undefined ? `@${t.link.citekey}` : t.link.raw}#${anchorKey(t.link)}`;
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
          const target = readable[i] as LinkTarget;
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

  /** A note's sections, kept by its parse (the parser hands back the same parse for unchanged text). */
  private sectionsOf(note: ParsedNote, title: string): SourceSection[] {
    const known = this.noteSections.get(note);
    if (known?.title === title) return known.sections;
    const sections = noteSections(note, title);
    this.noteSections.set(note, { title, sections });
    return sections;
  }

  /** A resolved link read as a source, or why it cannot be; the Source names the link it came from. */
  private async read(target: LinkTarget, noteUri: string, signal: AbortSignal, extract: boolean): Promise<Source> {
    const { link, uri, kind } = target;
    if (target.status !== 'ok' || !uri || !kind) return this.unread(target, noteUri);
    const name = workspaceRelative(uri, this.deps.workspace.folders());
    const id = `${name}${anchorSuffix(link.anchor)}`;
    if (uriKey(uri) === uriKey(noteUri)) {
      return problem(link, uri, name, 'cycle', `${name}: the note links to itself`, kind, id);
    }
    const source = await this.fileReader.read(
      {
        uri,
        kind,
        id,
        name,
        ...(target.title ? { title: target.title } : {}),
        ...(link.anchor ? { anchor: link.anchor } : {}),
        ...(target.stamp ? { stamp: target.stamp } : {}),
      },
      signal,
      extract,
    );
    return { ...source, link: sourceLink(link) };
  }

  /** The Source of a link that was not read (unresolved, refused, untrusted). */
  private unread(target: LinkTarget, noteUri: string): Source {
    const { link } = target;
    const name = target.uri ? workspaceRelative(target.uri, this.deps.workspace.folders()) : link.target || `@${link.citekey ?? ''}`;
    // Ids are workspace-relative paths whenever the link resolved to a file, even a missing one.
    const id = target.uri ? `${name}${anchorSuffix(link.anchor)}` : undefined;
    return problem(link, target.uri ?? noteUri, target.title ?? name, target.status, target.detail ?? name, target.kind, id);
  }
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

function problem(
  link: NoteLink,
  uri: string,
  title: string,
  status: Source['status'],
  detail: string,
  kind?: Source['kind'],
  knownId?: string,
): Source {
  const id = knownId ?? (link.citekey !== undefined ? `@${link.citekey}` : `${link.target}${anchorSuffix(link.anchor)}`);
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
  };
}
