/**
 * The library index's blobs as files in one folder (the extension's workspace storage, or the CLI's cache).
 * No `vscode` here: the extension host and the CLI both use it.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { LibraryStore } from '../core';

const TEMP = '.tmp';
const SAFE_NAME = /^[\w.-]+$/;

export class NodeLibraryStore implements LibraryStore {
  constructor(readonly dir: string) {}

  private file(name: string): string {
    if (!SAFE_NAME.test(name) || name.endsWith(TEMP)) throw new Error(`not a library index file name: ${name}`);
    return join(this.dir, name);
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await fsp.readFile(this.file(name)));
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Written to a temp file, then renamed over the target: a process killed mid-write leaves the old file or
   * the new one, never a mix (rename within one folder is atomic on POSIX and NTFS). There is no fsync: after
   * a power loss a file may come back empty or short, which its length and checksum reveal, and the index
   * rebuilds that part; an fsync per file would instead cost seconds on every save of a large library.
   */
  async write(name: string, data: Uint8Array): Promise<void> {
    const target = this.file(name);
    await fsp.mkdir(this.dir, { recursive: true });
    const temp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}${TEMP}`;
    try {
      await fsp.writeFile(temp, data);
      await fsp.rename(temp, target);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    await fsp.rm(this.file(name), { force: true });
  }

  /** Blob names; temp files left by a killed process are removed on the way. */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return [];
      throw error;
    }
    const out: string[] = [];
    for (const name of names) {
      // (this process's own temp files belong to writes in progress)
      if (name.endsWith(TEMP)) {
        if (!name.includes(`.${process.pid}-`)) await fsp.rm(join(this.dir, name), { force: true });
      } else if (SAFE_NAME.test(name)) out.push(name);
    }
    return out;
  }

  async clear(): Promise<void> {
    await fsp.rm(this.dir, { recursive: true, force: true });
  }

  /** Bytes on disk (for the status and the bench). */
  async bytes(): Promise<number> {
    let total = 0;
    for (const name of await this.list()) total += (await fsp.stat(join(this.dir, name))).size;
    return total;
  }
}
