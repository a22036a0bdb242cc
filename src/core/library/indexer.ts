/**
 * One file brought up to date in the index: left alone when its size and mtime are unchanged, kept when its
 * bytes hash the same, else read through the source reader (PDFs through the extraction cache), cut into
 * passages and stored, or recorded as failed or skipped with the reason. Never throws for a bad file.
 */
import { contentHash, type ContentHasher } from '../cache/extractionCache';
import { isCancellationError, throwIfAborted } from '../errors';
import type { FileReader, FileStamp } from '../ports/files';
import type { Logger } from '../ports/logger';
import type { Source, SourceKind } from '../sources/types';
import { chunkSource } from './chunk';
import type { ChunkIndex } from './chunkIndex';
import type { LibraryFile } from './discover';
import type { FileRecord, FileState } from './types';

/** Reads one file as a source (DefaultSourceReader.readSource): never throws for a bad file, only on cancellation. */
export type ReadSource = (uri: string, signal: AbortSignal, options: { readonly kind: SourceKind }) => Promise<Source>;

export interface IndexerDeps {
  readonly index: ChunkIndex;
  readonly files: FileReader;
  readonly read: ReadSource;
  readonly logger: Logger;
  /** Largest passage in estimated tokens (default: chunk.ts). */
  readonly chunkTokens?: number;
  /** The host's content hasher; default Web Crypto. */
  readonly hash?: ContentHasher;
}

/** What one file's update did. */
export type FileOutcome = 'unchanged' | 'indexed' | 'failed' | 'skipped' | 'removed';

/** True when a file needs no look at all: same size and mtime as indexed (or failed, unless retrying). */
export function isUnchanged(previous: FileRecord | undefined, stamp: FileStamp, retryFailed: boolean): boolean {
  // A host that reports no mtime gets no such trust. A skipped file is looked at again: it may have been skipped
  // for a rule that no longer holds (an exclusion since removed).
  if (!previous || stamp.mtime <= 0 || previous.size !== stamp.size || previous.mtime !== stamp.mtime) return false;
  return previous.status.state !== 'skipped' && !(previous.status.state === 'failed' && retryFailed);
}

/** The file's size and mtime; undefined when it is gone or cannot be looked at. */
export async function stampOf(files: FileReader, uri: string, signal: AbortSignal): Promise<FileStamp | undefined> {
  try {
    return await files.stat(uri, signal);
  } catch (error) {
    if (isCancellationError(error)) throw error;
    return undefined;
  }
}

/**
 * Brings one library file up to date in the index (see the module comment). `checked` is a stamp taken just
 * before (a run checks every file's stamp first, many at a time).
 */
export async function indexFile(
  deps: IndexerDeps,
  file: LibraryFile,
  previous: FileRecord | undefined,
  retryFailed: boolean,
  signal: AbortSignal,
  checked?: FileStamp,
): Promise<FileOutcome> {
  const { index, files } = deps;
  const hashOf = deps.hash ?? contentHash;
  const { uri, path } = file;
  throwIfAborted(signal);
  const stamp = checked ?? (await stampOf(files, uri, signal));
  if (!stamp) {
    if (previous) await index.removeFile(uri);
    return 'removed';
  }
  const base = { uri, path, size: stamp.size, mtime: stamp.mtime };
  // Size and mtime unchanged: not even hashed.
  if (isUnchanged(previous, stamp, retryFailed)) return 'unchanged';
  let hash: string | undefined;
  try {
    if (previous?.status.state === 'indexed' && previous.hash !== '') {
      hash = await hashOf(await files.readBytes(uri, signal));
      // Touched but not changed (a checkout, a sync tool): the passages stand.
      if (hash === previous.hash) {
        await index.putRecord({ ...previous, ...base });
        return 'unchanged';
      }
    }
    const source = await deps.read(uri, signal, { kind: file.kind });
    const state = stateOf(source, previous);
    // Notes come back without a hash: theirs is taken from the bytes, as above, so the next check compares alike.
    hash = source.contentHash ?? hash ?? (source.status === 'ok' ? await hashOf(await files.readBytes(uri, signal)) : '');
    if (state === 'missing') {
      if (previous) await index.removeFile(uri);
      return 'removed';
    }
    if (state.state !== 'indexed') {
      await index.putFile({ ...base, hash, status: state }, []);
      return state.state;
    }
    const chunks = chunkSource(source, { path, ...(deps.chunkTokens ? { maxTokens: deps.chunkTokens } : {}) });
    if (chunks.length === 0) {
      await index.putFile({ ...base, hash, status: failed(`${path}: no text to index`, previous) }, []);
      return 'failed';
    }
    if (source.statusDetail) deps.logger.info(`library: ${source.statusDetail}`);
    await index.putFile({ ...base, hash, status: { state: 'indexed', chunks: chunks.length, vectors: false } }, chunks);
    return 'indexed';
  } catch (error) {
    if (isCancellationError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.warn(`library: ${path}: ${message}`);
    await index.putFile(
      { ...base, hash: hash ?? '', status: failed(message.includes(path) ? message : `${path}: ${message}`, previous) },
      [],
    );
    return 'failed';
  }
}

/** The state a read source leaves its file in ('missing': gone since it was listed). */
function stateOf(source: Source, previous: FileRecord | undefined): FileState | 'missing' {
  const detail = source.statusDetail ?? `${source.id}: ${source.status}`;
  switch (source.status) {
    case 'ok':
      return { state: 'indexed', chunks: 0, vectors: false };
    case 'missing':
      return 'missing';
    case 'tooLarge':
    case 'unsupported':
    case 'outsideWorkspace':
    case 'untrusted':
      return { state: 'skipped', reason: detail };
    default:
      // Unreadable, corrupt, encrypted, image-only (no text layer), empty: the reader's message names the file.
      return failed(detail, previous);
  }
}

function failed(reason: string, previous: FileRecord | undefined): FileState {
  const attempts = previous?.status.state === 'failed' ? previous.status.attempts + 1 : 1;
  return { state: 'failed', reason, attempts };
}
