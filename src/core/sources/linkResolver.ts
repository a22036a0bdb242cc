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
}

interface Bibliography {
  readonly entries: ReadonlyMap<string, { entry: BibEntry; bibUri: string }>;
  readonly problems: readonly string[];
}

/** Bump when BibEntry or the parsers change, so stored parses are not reused. */
const BIBLIOGRAPHY_VERSION = 1;
/** Bibliographies kept parsed in memory (a user has one or two). */
const BIBLIOGRAPHIES_HELD = 8;

export class LinkResolver {
  private readonly logger: Logger;
  private readonly limits: SourceLimits;
  /** The last few bibliographies parsed, by URI (see parseBibliography). */
  private readonly bibliographies = new Map<string, { readonly text: string; readonly entries: readonly BibEntry[] }>();

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
    return Promise.all(links.map((link) => this.resolve(link, noteUri, bibliography, config, signal)));
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
  private async parseBibliography(uri: string, path: string, text: string): Promise<readonly BibEntry[]> {
    const known = this.bibliographies.get(uri);
    if (known?.text === text) return known.entries;
    const key = this.deps.store ? `bib-v${BIBLIOGRAPHY_VERSION}-${await contentHash(new TextEncoder().encode(text))}` : undefined;
    let entries = key ? await this.storedEntries(key) : undefined;
    if (!entries) {
      entries = /\.json$/i.test(path) ? parseCslJson(text) : await (await this.deps.bibtex()).parse(text);
      if (key)
        await this.deps.store
          ?.set(key, JSON.stringify(entries))
          .catch((error: unknown) => this.logger.warn(`bibliography cache: ${String(error)}`));
    }
    this.bibliographies.delete(uri);
    if (this.bibliographies.size >= BIBLIOGRAPHIES_HELD) this.bibliographies.delete(this.bibliographies.keys().next().value ?? '');
    this.bibliographies.set(uri, { text, entries });
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
    return { link, uri, kind, status: 'ok', stamp: { size: stat.size, mtime: stat.mtime }, ...extra };
  }
}

function compareScore(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
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
