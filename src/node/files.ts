/**
 * The user's files on Node (CLI, bench, tests): reads through node:fs, and the workspace as a folder walk.
 * URIs are `file:///…` strings like everywhere in the core.
 */
import { promises as fsp, type Dirent } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { throwIfAborted, type FileReader, type FileStamp, type WorkspaceIndex } from '../core';

/** An absolute or relative path as a file URI, without a trailing slash (the form WorkspaceIndex.folders uses). */
export function fileUri(path: string): string {
  return pathToFileURL(resolve(path)).href.replace(/\/+$/, '');
}

/** The local path of a file URI. */
export function filePath(uri: string): string {
  return fileURLToPath(uri);
}

/** FileReader over node:fs. Reads hand over the Buffer itself (a Uint8Array): no copy of a multi-MB PDF. */
export class NodeFileReader implements FileReader {
  async readBytes(uri: string, signal: AbortSignal): Promise<Uint8Array> {
    throwIfAborted(signal);
    return fsp.readFile(filePath(uri), { signal });
  }

  async readText(uri: string, signal: AbortSignal): Promise<string> {
    throwIfAborted(signal);
    return fsp.readFile(filePath(uri), { encoding: 'utf8', signal });
  }

  async stat(uri: string, signal: AbortSignal): Promise<FileStamp | undefined> {
    throwIfAborted(signal);
    try {
      const s = await fsp.stat(filePath(uri));
      return s.isFile() ? { size: s.size, mtime: s.mtimeMs, ctime: s.ctimeMs } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}

/** A stat or read error meaning the file is not there (as opposed to one that could not be looked at). */
export function isMissing(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The files a link may point at (notes, PDFs, text, bibliographies), as in the extension's workspace index. */
const LINKABLE = /\.(md|markdown|pdf|txt|tex|html?|bib|json)$/i;
/** Folders never walked: tool state and dependencies, not the user's notes. */
const SKIPPED = new Set(['node_modules', '.git', '.obsidian', '.trash']);

export interface NodeWorkspaceOptions {
  /** Most files listed; a walk that finds more stops there and says so through `truncated`. Default 100 000. */
  readonly maxFiles?: number;
}

/**
 * The workspace as one or more folders on disk. The file list is walked on first use and kept until
 * `refresh()` (a CLI run is short; a long-lived host refreshes when it knows files changed).
 */
export class NodeWorkspaceIndex implements WorkspaceIndex {
  private readonly roots: readonly string[];
  private readonly maxFiles: number;
  private listing: Promise<readonly string[]> | undefined;
  /** True when the last walk stopped at maxFiles. */
  truncated = false;

  constructor(folders: string | readonly string[], options: NodeWorkspaceOptions = {}) {
    this.roots = (typeof folders === 'string' ? [folders] : folders).map((f) => resolve(f));
    this.maxFiles = options.maxFiles ?? 100_000;
  }

  folders(): readonly string[] {
    return this.roots.map(fileUri);
  }

  files(signal: AbortSignal, options?: { readonly fresh?: boolean }): Promise<readonly string[]> {
    throwIfAborted(signal);
    if (options?.fresh) this.listing = undefined;
    // A walk that failed (or was cancelled) is not kept: the next call walks again.
    const listing = (this.listing ??= this.walkAll(signal).catch((error: unknown) => {
      if (this.listing === listing) this.listing = undefined;
      throw error;
    }));
    return listing;
  }

  /** Forgets the file list: the next `files()` walks the folders again. */
  refresh(): void {
    this.listing = undefined;
  }

  private async walkAll(signal: AbortSignal): Promise<readonly string[]> {
    const out: string[] = [];
    const seen = new Set<string>();
    this.truncated = false;
    for (const root of this.roots) await this.walk(root, out, seen, signal);
    return out;
  }

  /** Walks a folder once: symbolic links are followed, and `seen` (real paths) stops a link back up the tree. */
  private async walk(dir: string, out: string[], seen: Set<string>, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    let entries: Dirent[];
    try {
      const real = await fsp.realpath(dir);
      if (seen.has(real)) return;
      seen.add(real);
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (error) {
      // A folder that vanished or cannot be listed holds nothing a link can read.
      if (isMissing(error) || (error as { code?: string }).code === 'EACCES') return;
      throw error;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (out.length >= this.maxFiles) {
        this.truncated = true;
        return;
      }
      const full = join(dir, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await fsp.stat(full).catch(() => undefined);
        isDirectory = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isDirectory) {
        if (!SKIPPED.has(entry.name)) await this.walk(full, out, seen, signal);
      } else if (isFile && LINKABLE.test(entry.name)) {
        out.push(pathToFileURL(full).href);
      }
    }
  }
}

/** Files and workspace in one object: what the assistant's `files` port takes. */
export class NodeWorkspace extends NodeFileReader implements WorkspaceIndex {
  readonly index: NodeWorkspaceIndex;

  constructor(folders: string | readonly string[], options: NodeWorkspaceOptions = {}) {
    super();
    this.index = new NodeWorkspaceIndex(folders, options);
  }

  folders(): readonly string[] {
    return this.index.folders();
  }

  files(signal: AbortSignal, options?: { readonly fresh?: boolean }): Promise<readonly string[]> {
    return this.index.files(signal, options);
  }

  refresh(): void {
    this.index.refresh();
  }
}
