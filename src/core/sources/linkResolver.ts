/**
 * From a note's links to the files they name: relative and absolute paths, Obsidian names, citekeys through
 * the note's bibliography; and the policy on what may be read (workspace trust, files outside the workspace,
 * size limits). Reads no file's content except bibliographies.
 */
import type { AssistantConfig } from '../config';
import { contentHash } from '../cache/extractionCache';
import { isCancellationError } from '../errors';
import type { NoteLink } from '../markdown/links';
import type { ParsedNote } from '../markdown/parseNote';
import type { FileReader, FileStamp, KeyValueStore, WorkspaceIndex } from '../ports/files';
import { nullLogger, type Logger } from '../ports/logger';
import { attachmentUri, parseCslJson, pickPdf, type BibEntry, type BibtexParser } from './bibliography';
import { DEFAULT_LIMITS, formatBytes, kindOf, maxBytesFor, type SourceLimits } from './kinds';
import type { SourceKind, SourceStatus } from './types';
import { dirname, extname, fileUri, isInside, resolveRelative, uriKey, workspaceRelative } from './uri';
import { stampOf } from './readers/result';

/** A link resolved to a file (or to why it could not be). */
export interface LinkTarget {
  readonly link: NoteLink;
  readonly uri?: string;
  readonly kind?: SourceKind;
  readonly status: SourceStatus;
  readonly detail?: string;
  readonly title?: string;
  /** Size and mtime from the check, taken before any read (the extraction cache's in-session key). */
  readonly stamp?: FileStamp;
}

export interface LinkResolverDeps {
  readonly files: FileReader;
  readonly workspace: WorkspaceIndex;
  readonly bibtex: () => Promise<BibtexParser>;
  /** Where parsed bibliographies are kept across sessions (by content hash); memory only without it. */
  readonly store?: KeyValueStore;
  readonly logger?: Logger;
  readonly limits?: Partial<SourceLimits>;
  /** Parses a literature note (`[[@key]]` → `@key.md`) to find the PDF it links. */
  readonly parseMarkdown: (text: string) => ParsedNote;
}

interface Bibliography {
  readonly entries: ReadonlyMap<string, { entry: BibEntry; bibUri: string }>;
  readonly problems: readonly string[];
}

/** Bump when BibEntry or the parsers change, so stored parses are not reused (2: entries carry their DOI). */
const BIBLIOGRAPHY_VERSION = 2;
/** Bibliographies kept parsed in memory (a user has one or two). */
const BIBLIOGRAPHIES_HELD = 8;

export class LinkResolver {
  private readonly logger: Logger;
  private readonly limits: SourceLimits;
  /** The last few bibliographies parsed, by URI (see parseBibliography). */
  private readonly bibliographies = new Map<string, { readonly text: string; readonly entries: Promise<readonly BibEntry[]> }>();

  constructor(private readonly deps: LinkResolverDeps) {
    this.logger = deps.logger ?? nullLogger;
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
  }

  /**
   * The links' targets, in order. In an untrusted workspace nothing is resolved: each link (once per target
   * and anchor) comes back `untrusted`.
   */
  async resolveAll(
    noteUri: string,
    note: ParsedNote,
    links: readonly NoteLink[],
    config: AssistantConfig,
    trusted: boolean,
    signal: AbortSignal,
  ): Promise<LinkTarget[]> {
    if (links.length === 0) return [];
    if (!trusted) {
      return dedupeLinks(links).map((link) => ({
        link,
        status: 'untrusted',
        detail: 'The workspace is not trusted: linked files are not read until you trust it (Manage Workspace Trust).',
      }));
    }
    const bibliography = links.some((l) => l.citekey !== undefined)
      ? await this.loadBibliography(noteUri, note, config, signal)
      : undefined;
    // Each resolution is a stat or two: all at once rather than one after another.
    const resolved = await Promise.all(
      links.map((link) =>
        link.citekey !== undefined && link.form === 'wikilink'
          ? this.resolveLiteratureNote(link, link.citekey, noteUri, bibliography, config, signal)
          : this.resolve(link, noteUri, bibliography, config, signal),
      ),
    );
    return resolved.flat();
  }

  /**
   * `[[@key]]` is a wikilink: in an Obsidian vault with literature notes (Zotero Integration names them
   * `@key.md`) it points at that note, which is read like any linked note and followed to the PDFs it links
   * (in its text or in a `pdf` / `file` front-matter field). Without such a note, or when the note links no
   * PDF, the key goes to the bibliography as for `[@key]`.
   */
  private async resolveLiteratureNote(
    link: NoteLink,
    key: string,
    noteUri: string,
    bib: Bibliography | undefined,
    config: AssistantConfig,
    signal: AbortSignal,
  ): Promise<LinkTarget[]> {
    const folders = this.deps.workspace.folders();
    const uri = await this.byName(`@${key}`, noteUri, signal, true);
    if (!uri) return [await this.resolve(link, noteUri, bib, config, signal)];
    const noteTarget = await this.checkFile(link, uri, folders, config, signal);
    if (noteTarget.status !== 'ok') return [noteTarget];
    let literature: ParsedNote;
    try {
      literature = this.deps.parseMarkdown(await this.deps.files.readText(uri, signal));
    } catch (error) {
      if (isCancellationError(error)) throw error;
      return [noteTarget];
    }
    const pdfLinks = [...literatureNotePdfLinks(literature, this.deps.parseMarkdown)];
    if (pdfLinks.length === 0) {
      const fromBibliography = bib?.entries.has(key) ? await this.resolve(link, noteUri, bib, config, signal) : undefined;
      return fromBibliography ? [noteTarget, fromBibliography] : [noteTarget];
    }
    // The PDFs stand for the citation: they carry the link as written in the note (and its citekey).
    const pdfs = await Promise.all(pdfLinks.map(async (pdfLink) => ({ ...(await this.resolve(pdfLink, uri, bib, config, signal)), link })));
    return [noteTarget, ...pdfs];
  }

  /**
   * The note's bibliography as attachment → citekey (file URIs by uriKey), so a library passage from a paper the
   * bibliography lists can be cited by its key. Empty in an untrusted workspace or without a bibliography.
   */
  async attachmentKeys(
    noteUri: string,
    note: ParsedNote,
    config: AssistantConfig,
    trusted: boolean,
    signal: AbortSignal,
  ): Promise<Map<string, string>> {
    const entries = await this.attachmentEntries(noteUri, note, config, trusted, signal);
    return new Map([...entries].map(([uri, entry]) => [uri, entry.key]));
  }

  /** The bibliography entry of each attached file (by the file's URI key); the first entry naming a file wins. */
  async attachmentEntries(
    noteUri: string,
    note: ParsedNote,
    config: AssistantConfig,
    trusted: boolean,
    signal: AbortSignal,
  ): Promise<Map<string, BibEntry>> {
    const entries = new Map<string, BibEntry>();
    if (!trusted) return entries;
    const bib = await this.loadBibliography(noteUri, note, config, signal);
    for (const { entry, bibUri } of bib.entries.values()) {
      for (const file of entry.files) {
        const where = attachmentUri(file.path, bibUri);
        if (where.uri && !entries.has(uriKey(where.uri))) entries.set(uriKey(where.uri), entry);
      }
    }
    return entries;
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
   * to parse than to read, and every action on a note with citations needs it. Kept in memory by the exact
   * text (an edit, saved or not, parses anew) and in the store by its hash (a new session or CLI run).
   */
  private parseBibliography(uri: string, path: string, text: string): Promise<readonly BibEntry[]> {
    const known = this.bibliographies.get(uri);
    // A parse under way is shared: the note's opening starts it, and an action begun meanwhile waits for it.
    if (known?.text === text) return known.entries;
    const entries = this.parseOrLoad(path, text);
    this.bibliographies.delete(uri);
    if (this.bibliographies.size >= BIBLIOGRAPHIES_HELD) this.bibliographies.delete(this.bibliographies.keys().next().value ?? '');
    this.bibliographies.set(uri, { text, entries });
    // A failed parse is not kept: the next action tries again (and reports the error again).
    entries.catch(() => {
      if (this.bibliographies.get(uri)?.entries === entries) this.bibliographies.delete(uri);
    });
    return entries;
  }

  private async parseOrLoad(path: string, text: string): Promise<readonly BibEntry[]> {
    const key = this.deps.store ? `bib-v${BIBLIOGRAPHY_VERSION}-${await contentHash(new TextEncoder().encode(text))}` : undefined;
    let entries = key ? await this.storedEntries(key) : undefined;
    if (!entries) {
      const started = Date.now();
      entries = /\.json$/i.test(path) ? parseCslJson(text) : await (await this.deps.bibtex()).parse(text);
      this.logger.info(`bibliography ${path}: ${entries.length} entries parsed in ${Date.now() - started} ms (kept for later sessions)`);
      if (key)
        await this.deps.store
          ?.set(key, JSON.stringify(entries))
          .catch((error: unknown) => this.logger.warn(`bibliography cache: ${String(error)}`));
    }
    return entries;
  }

  private async storedEntries(key: string): Promise<readonly BibEntry[] | undefined> {
    try {
      const raw = await this.deps.store?.get(key);
      const value: unknown = raw === undefined ? undefined : JSON.parse(raw);
      return Array.isArray(value) ? (value as BibEntry[]) : undefined;
    } catch (error) {
      // A damaged entry is parsed again, never a failure.
      this.logger.warn(`bibliography cache: unreadable entry: ${String(error)}`);
      return undefined;
    }
  }

  private async resolve(
    link: NoteLink,
    noteUri: string,
    bib: Bibliography | undefined,
    config: AssistantConfig,
    signal: AbortSignal,
  ): Promise<LinkTarget> {
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
  private async byName(target: string, noteUri: string, signal: AbortSignal, notesOnly = false): Promise<string | undefined> {
    const name = target
      .replace(/\\/g, '/')
      .replace(/^\.?\//, '')
      .toLowerCase();
    const wanted = notesOnly ? [`${name}.md`] : kindOf(name) ? [name] : [`${name}.md`, name];
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
    for (const candidate of notesOnly ? [`${asWritten}.md`] : kindOf(asWritten) ? [asWritten] : [`${asWritten}.md`, asWritten]) {
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
  ): Promise<LinkTarget> {
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
    const max = maxBytesFor(kind, this.limits);
    if (stat.size > max)
      return {
        link,
        uri,
        kind,
        status: 'tooLarge',
        detail: `${name}: ${formatBytes(stat.size)} is over the ${formatBytes(max)} limit`,
        ...extra,
      };
    return { link, uri, kind, status: 'ok', stamp: stampOf(stat), ...extra };
  }
}

function compareScore(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** Front-matter fields in which literature-note templates name the paper's PDF. */
const PDF_FIELDS = ['pdf', 'file', 'files', 'attachment', 'attachments'];

/**
 * The links to PDFs of a literature note: front-matter fields first (a path, a `[[name.pdf]]` or a markdown
 * link, alone or in a list), then the PDF links in its text; each target once. Citekeys inside the note are
 * not followed (no chains from one paper to the next).
 */
function* literatureNotePdfLinks(note: ParsedNote, parseMarkdown: (text: string) => ParsedNote): Generator<NoteLink> {
  const seen = new Set<string>();
  const fm = note.frontMatter ?? {};
  const values = PDF_FIELDS.flatMap((field) => {
    const value = fm[field];
    return typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  });
  const fromFields = values.flatMap((value): NoteLink[] => {
    const text = value.trim();
    if (text.includes('[[') || text.includes('](')) return [...parseMarkdown(text).links];
    const path = text.startsWith('file://') ? text : text.replace(/^<|>$/g, '');
    return [
      {
        form: 'markdown',
        raw: text,
        start: 0,
        end: 0,
        line: 0,
        target: path,
        external: /^[a-z][a-z0-9+.-]+:/i.test(path) && !path.startsWith('file:'),
      },
    ];
  });
  for (const l of [...fromFields, ...note.links]) {
    if (l.external || l.citekey !== undefined || kindOf(l.target) !== 'pdf' || seen.has(l.target)) continue;
    seen.add(l.target);
    yield l;
  }
}

/** A key for what part of its target a link names (two links to one file and anchor are read once). */
export function anchorKey(link: NoteLink): string {
  const a = link.anchor;
  if (!a) return '';
  return a.kind === 'page' ? `page=${a.from}-${a.to}` : a.kind === 'block' ? `^${a.id}` : a.heading.toLowerCase();
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
