import type { FileReader, FileStamp, KeyValueStore } from '../../../src/core/ports/files';
import { DEFAULT_CONFIG, resolveConfig, type AssistantConfig } from '../../../src/core/config';
import { DefaultSourceReader, type PdfTextExtractor, type SourceReaderDeps } from '../../../src/core/sources/sourceReader';
import { ExtractionCache, InMemoryKeyValueStore } from '../../../src/core/cache/extractionCache';
import { uriKey } from '../../../src/core/sources/uri';
import type { NoteDocument } from '../../../src/core/ports/document';
import { bibtexParser } from '../../../src/pdf/bibtex';
import type { BibtexParser } from '../../../src/core/sources/bibliography';
import { extractPdfText } from '../../../src/pdf/engine';

export const ROOT = 'file:///ws';

/** Files in memory keyed by workspace-relative path (or absolute `/…` path outside the workspace). */
export class InMemoryFiles implements FileReader {
  readonly files = new Map<string, Uint8Array>();
  /** Modification times by the same keys; files without one report 0 ("unknown"). */
  readonly mtimes = new Map<string, number>();
  /** Status change times, set on every add() of a file with an mtime, as an OS sets ctime on every write. */
  readonly ctimes = new Map<string, number>();
  private changes = 0;
  /** False: stat reports no change time, as a virtual file system does. */
  reportChangeTime = true;
  reads = 0;

  constructor(entries: Record<string, string | Uint8Array>) {
    for (const [path, content] of Object.entries(entries)) this.add(path, content);
  }

  add(path: string, content: string | Uint8Array, mtime?: number): void {
    const key = uriKey(this.uri(path));
    this.files.set(key, typeof content === 'string' ? new TextEncoder().encode(content) : content);
    if (mtime === undefined) this.mtimes.delete(key);
    else this.mtimes.set(key, mtime);
    if (mtime === undefined) this.ctimes.delete(key);
    else this.ctimes.set(key, 1_700_000_000_000 + ++this.changes);
  }

  /** The URI of a workspace-relative (or absolute `/…`) path. */
  uri(path: string): string {
    return path.startsWith('/') ? new URL(path, 'file:///').href : new URL(path, `${ROOT}/`).href;
  }

  readBytes(uri: string): Promise<Uint8Array> {
    const bytes = this.files.get(uriKey(uri));
    if (!bytes) return Promise.reject(new Error(`ENOENT ${uri}`));
    this.reads++;
    return Promise.resolve(bytes);
  }

  async readText(uri: string): Promise<string> {
    return new TextDecoder().decode(await this.readBytes(uri));
  }

  stat(uri: string): Promise<FileStamp | undefined> {
    const key = uriKey(uri);
    const bytes = this.files.get(key);
    if (!bytes) return Promise.resolve(undefined);
    const ctime = this.reportChangeTime ? this.ctimes.get(key) : undefined;
    return Promise.resolve({ size: bytes.length, mtime: this.mtimes.get(key) ?? 0, ...(ctime === undefined ? {} : { ctime }) });
  }

  folders(): readonly string[] {
    return [ROOT];
  }

  uris(): string[] {
    return [...this.files.keys()].map((p) => new URL(p, 'file:///').href);
  }

  /** WorkspaceIndex.files: only what is inside the workspace folder. */
  filesInWorkspace(): Promise<readonly string[]> {
    return Promise.resolve(this.uris().filter((u) => uriKey(u).startsWith('/ws/')));
  }
}

export function note(path: string, text: string): NoteDocument {
  return { uri: new URL(path, `${ROOT}/`).href, version: 1, languageId: 'markdown', getText: () => text };
}

export interface ReaderOptions {
  readonly config?: Partial<AssistantConfig>;
  readonly trusted?: boolean;
  readonly pdf?: PdfTextExtractor;
  readonly cache?: ExtractionCache;
  readonly limits?: SourceReaderDeps['limits'];
  readonly bibtex?: BibtexParser;
  readonly store?: KeyValueStore;
}

export function createReader(
  fs: InMemoryFiles,
  options: ReaderOptions = {},
): { reader: DefaultSourceReader; cache: ExtractionCache; pdfCalls: () => number } {
  let pdfCalls = 0;
  const cache = options.cache ?? new ExtractionCache(new InMemoryKeyValueStore());
  const pdf: PdfTextExtractor = options.pdf ?? { extract: (bytes, o) => extractPdfText(bytes, o) };
  const reader = new DefaultSourceReader({
    files: fs,
    workspace: { folders: () => fs.folders(), files: () => fs.filesInWorkspace() },
    pdf: () =>
      Promise.resolve({
        extract: (b, o) => (pdfCalls++, pdf.extract(b, o)),
        ...(pdf.prewarm ? { prewarm: (samples) => pdf.prewarm!(samples) } : {}),
      }),
    bibtex: () => Promise.resolve(options.bibtex ?? bibtexParser),
    config: () => resolveConfig({ ...DEFAULT_CONFIG, ...options.config }),
    isTrusted: () => options.trusted ?? true,
    cache,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.store ? { store: options.store } : {}),
  });
  return { reader, cache, pdfCalls: () => pdfCalls };
}

export const signal = new AbortController().signal;
