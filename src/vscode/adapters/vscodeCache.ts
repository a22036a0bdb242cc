import * as vscode from 'vscode';
import type { KeyValueStore, Logger } from '../../core';

/**
 * Writes between two looks at the whole folder; between them the total is kept from the sizes written. A scan at
 * every write made a library build of n papers O(n²) in stats. Another window's writes are seen at the next scan.
 */
const WRITES_PER_SCAN = 256;

/**
 * A KeyValueStore of files under the extension's global storage, bounded in total size: when it grows over
 * the limit the least recently written entries go first.
 */
export class VsCodeFileStore implements KeyValueStore {
  private readonly dir: vscode.Uri;
  /** The entries' total size as of the last scan plus what was written since; unknown before the first write. */
  private total: number | undefined;
  private writesSinceScan = 0;

  constructor(
    globalStorage: vscode.Uri,
    folder: string,
    private readonly maxBytes: number,
    private readonly logger: Logger,
  ) {
    this.dir = vscode.Uri.joinPath(globalStorage, folder);
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
    this.writesSinceScan += 1;
    if (this.total !== undefined) this.total += bytes.byteLength - replaced;
    if (this.total === undefined || this.total > this.maxBytes || this.writesSinceScan >= WRITES_PER_SCAN) await this.evict();
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
    this.total = 0;
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

  private async evict(): Promise<void> {
    const entries = await this.entries();
    this.writesSinceScan = 0;
    let total = entries.reduce((n, e) => n + e.size, 0);
    this.total = total;
    if (total <= this.maxBytes) return;
    entries.sort((a, b) => a.mtime - b.mtime);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      // Another write may have evicted or replaced it meanwhile: what matters is that it is gone.
      await vscode.workspace.fs.delete(e.uri).then(undefined, () => undefined);
      total -= e.size;
      this.logger.debug(`cache: evicted ${e.uri.path}`);
    }
    this.total = total;
  }
}
