/**
 * Read-only access to the user's files, supplied by the host (workspace.fs in VS Code).
 * URIs are strings; the adapter owns conversion and the workspace-boundary policy.
 */
export interface FileReader {
  readBytes(uri: string, signal: AbortSignal): Promise<Uint8Array>;
  readText(uri: string, signal: AbortSignal): Promise<string>;
  /** `undefined` when the file does not exist. */
  stat(uri: string, signal: AbortSignal): Promise<FileStamp | undefined>;
}

/** Size in bytes and modification time (ms since the epoch; 0 when the host does not know it). */
export interface FileStamp {
  readonly size: number;
  readonly mtime: number;
  /**
   * The status change time (ms; POSIX ctime, NTFS ChangeTime), when the host has it. Every write, rename or
   * timestamp change sets it to the present, and no tool can set it back (`touch -d`, `cp -p` and `rsync -t` copy
   * mtime only). Absent for hosts without one, such as virtual file systems.
   */
  readonly ctime?: number;
}

/** Stores bytes by key (the extension's global storage in VS Code). */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  clear(): Promise<void>;
}

/**
 * The workspace as links see it (vscode.workspace in VS Code): its folders, and the files a wikilink may
 * name, for Obsidian-style resolution by file name.
 */
export interface WorkspaceIndex {
  /** Workspace folder URIs (`file:///…`, no trailing slash). */
  folders(): readonly string[];
  /**
   * URIs of the files links may point at (notes, PDFs, text, bibliographies). The adapter may cache the listing;
   * `fresh` asks for one taken now (the library's update must see a file written a moment ago, before any file
   * watcher has reported it), which then replaces the cached one.
   */
  files(signal: AbortSignal, options?: { readonly fresh?: boolean }): Promise<readonly string[]>;
  /** Globs (relative to a folder) of files the user hides in the host (VS Code `files.exclude`); none when absent. */
  excluded?(): readonly string[];
}
