/**
 * The library as the assistant builds it for a host: the engine over the host's store, files read through the
 * same extraction cache as linked papers (two PDFs at a time: a library is mostly short papers, one per engine
 * worker), the settings' include / exclude globs with the host's own exclusions, and the PDFs the workspace's
 * bibliography attaches.
 */
import type { ExtractionCache } from '../cache/extractionCache';
import type { AssistantConfig } from '../config';
import { isCancellationError } from '../errors';
import type { BibtexParser, PdfTextExtractor } from '../ports/extractors';
import type { FileReader, WorkspaceIndex } from '../ports/files';
import type { LibraryStore } from '../ports/libraryStore';
import type { Logger } from '../ports/logger';
import { attachmentUri, parseCslJson, pickPdf, type BibEntry } from '../sources/bibliography';
import { problemSource, SourceFileReader } from '../sources/readers';
import { fileUri, resolveRelative } from '../sources/uri';
import { engineChunkIndex } from './chunkIndex';
import { createLibrary, type LibraryService } from './library';
import type { Embedder } from './types';

export interface HostLibraryDeps {
  readonly files: FileReader & WorkspaceIndex;
  readonly store: LibraryStore;
  readonly pdf: () => Promise<PdfTextExtractor>;
  readonly bibtex: () => Promise<BibtexParser>;
  readonly cache: ExtractionCache;
  /** Workspace-level settings (no note involved). */
  readonly settings: () => AssistantConfig;
  /** Workspace trust: an untrusted workspace's files are listed but not read. */
  readonly isTrusted: () => boolean;
  readonly embedder?: () => Promise<Embedder | undefined>;
  readonly logger: Logger;
  /** Files (and PDF extractions) at once; default 2. */
  readonly concurrency?: number;
}

export function hostLibrary(deps: HostLibraryDeps): LibraryService {
  const concurrency = deps.concurrency ?? 2;
  const reader = new SourceFileReader({
    files: deps.files,
    workspace: deps.files,
    pdf: deps.pdf,
    cache: deps.cache,
    logger: deps.logger,
    extractions: concurrency,
  });
  const bibliographies = new Map<string, Promise<readonly BibEntry[]>>();
  return createLibrary({
    index: engineChunkIndex(deps.store, deps.logger),
    files: deps.files,
    hash: (bytes) => deps.cache.hashBytes(bytes),
    read: (uri, signal, options) => {
      if (!deps.isTrusted()) {
        const name = reader.nameOf(uri);
        const target = { uri, kind: options.kind, id: name, name };
        return Promise.resolve(problemSource(target, name, 'untrusted', `${name}: not read until the workspace is trusted`));
      }
      return reader.readSource(uri, signal, options);
    },
    scope: () => {
      const config = deps.settings();
      return { include: config.libraryInclude, exclude: config.libraryExclude, hostExclude: deps.files.excluded?.() ?? [] };
    },
    attachments: async (signal) => {
      const path = deps.settings().bibliography.trim();
      const folder = deps.files.folders()[0];
      // The bibliography setting may point anywhere on disk: honoured in a trusted workspace only.
      if (path === '' || !deps.isTrusted()) return [];
      const bibUri = path.startsWith('/') ? fileUri(path) : resolveRelative(path, folder ? `${folder}/` : 'file:///');
      if (!(await deps.files.stat(bibUri, signal))) return [];
      const text = await deps.files.readText(bibUri, signal);
      const key = `${bibUri}\n${text}`;
      let entries = bibliographies.get(key);
      if (!entries) {
        entries = /\.json$/i.test(path) ? Promise.resolve(parseCslJson(text)) : deps.bibtex().then((b) => b.parse(text));
        bibliographies.clear();
        bibliographies.set(key, entries);
        entries.catch((error: unknown) => {
          if (!isCancellationError(error)) bibliographies.delete(key);
        });
      }
      const uris: string[] = [];
      for (const entry of await entries) {
        const pdf = pickPdf(entry);
        const uri = pdf ? attachmentUri(pdf.path, bibUri).uri : undefined;
        if (uri) uris.push(uri);
      }
      return uris;
    },
    ...(deps.embedder ? { embedder: deps.embedder } : {}),
    logger: deps.logger,
    concurrency,
  });
}
