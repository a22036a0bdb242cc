import * as vscode from 'vscode';
import { SizeBound, type KeyValueStore, type Logger } from '../../core';

/**
 * A KeyValueStore of files under the extension's global storage, bounded in total size: when it grows over
 * the limit the least recently written entries go first.
 */
export class VsCodeFileStore implements KeyValueStore {
  private readonly dir: vscode.Uri;
  private readonly bound: SizeBound;

  constructor(
    globalStorage: vscode.Uri,
    folder: string,
    maxBytes: number,
    private readonly logger: Logger,
  ) {
    this.dir = vscode.Uri.joinPath(globalStorage, folder);
    this.bound = new SizeBound(maxBytes);
  }

  private file(key: string): vscode.Uri {
    return vscode.Uri.joinPath(this.dir, `${key.replace(/[^\w.-]/g, '_')}.json`);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(this.file(key)));
    } catch {
      return undefined;
    }
  }

  /**
   * Written to a temp file and renamed over the entry: an extension host killed mid-write leaves the old entry
   * (or none), never a truncated one. Leftover temp files count towards the size and are evicted like entries.
   */
  async set(key: string, value: string): Promise<void> {
    await vscode.workspace.fs.createDirectory(this.dir);
    const target = this.file(key);
    const temp = target.with({ path: `${target.path}.${Math.random().toString(36).slice(2, 10)}.tmp` });
    const replaced = await vscode.workspace.fs.stat(target).then(
      (stat) => stat.size,
      () => 0,
    );
    const bytes = new TextEncoder().encode(value);
    await vscode.workspace.fs.writeFile(temp, bytes);
    try {
      await vscode.workspace.fs.rename(temp, target, { overwrite: true });
    } catch (error) {
      await vscode.workspace.fs.delete(temp).then(undefined, () => undefined);
      throw error;
    }
    if (this.bound.wrote(bytes.byteLength, replaced)) await this.evict();
  }

  async delete(key: string): Promise<void> {
    try {
      await vscode.workspace.fs.delete(this.file(key));
    } catch {
      // Already gone.
    }
  }

  async clear(): Promise<void> {
    try {
      await vscode.workspace.fs.delete(this.dir, { recursive: true, useTrash: false });
    } catch {
      // Nothing cached yet.
    }
    this.bound.cleared();
  }

  /** Total size and entries, for the Clear Cache message. */
  async size(): Promise<{ files: number; bytes: number }> {
    const entries = await this.entries();
    return { files: entries.length, bytes: entries.reduce((n, e) => n + e.size, 0) };
  }

  private async entries(): Promise<{ uri: vscode.Uri; size: number; mtime: number }[]> {
    let list: [string, vscode.FileType][];
    try {
      list = await vscode.workspace.fs.readDirectory(this.dir);
    } catch {
      return [];
    }
    const out: { uri: vscode.Uri; size: number; mtime: number }[] = [];
    for (const [name, type] of list) {
      if (type !== vscode.FileType.File) continue;
      const uri = vscode.Uri.joinPath(this.dir, name);
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        out.push({ uri, size: stat.size, mtime: stat.mtime });
      } catch {
        // Gone since the listing: another write's temp file renamed into place, or an entry evicted meanwhile.
      }
    }
    return out;
  }

  /** Removes the oldest entries while the store is over its bound (see SizeBound). */
  private async evict(): Promise<void> {
    for (const e of this.bound.scanned(await this.entries())) {
      // Another write may have evicted or replaced it meanwhile: what matters is that it is gone.
      await vscode.workspace.fs.delete(e.uri).then(undefined, () => undefined);
      this.logger.debug(`cache: evicted ${e.uri.path}`);
    }
  }
}
