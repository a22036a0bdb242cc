/**
 * A KeyValueStore of one file per key in a folder (the CLI's and the bench's persisted caches), bounded in
 * total size like the extension's global-storage store: over the limit, the least recently written entries go.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { nullLogger, SizeBound, type KeyValueStore, type Logger } from '../core';

const ENTRY = '.json';
const TEMP = '.tmp';
/** A temp file older than this is left over from a process that died mid-write. */
const STALE_TEMP_MS = 10 * 60_000;

export interface NodeFileStoreOptions {
  /** Largest total size of the entries, in bytes (default 256 MB: the extracted text of a few hundred papers). */
  readonly maxBytes?: number;
  readonly logger?: Logger;
}

interface Entry {
  readonly path: string;
  readonly size: number;
  readonly mtime: number;
}

export class NodeFileStore implements KeyValueStore {
  private readonly bound: SizeBound;
  private readonly logger: Logger;

  constructor(
    readonly dir: string,
    options: NodeFileStoreOptions = {},
  ) {
    this.bound = new SizeBound(options.maxBytes ?? 256 * 1024 * 1024);
    this.logger = options.logger ?? nullLogger;
  }

  private file(key: string): string {
    return join(this.dir, `${key.replace(/[^\w.-]/g, '_')}${ENTRY}`);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return await fsp.readFile(this.file(key), 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Written to a temp file first and renamed over the entry: a process killed mid-write leaves the old entry
   * (or none) and a stray temp file, never a truncated entry. Rename within one folder is atomic on POSIX and NTFS.
   */
  async set(key: string, value: string): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    const target = this.file(key);
    const temp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}${TEMP}`;
    const replaced = (await fsp.stat(target).catch(() => undefined))?.size ?? 0;
    try {
      await fsp.writeFile(temp, value);
      await fsp.rename(temp, target);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
    if (this.bound.wrote(Buffer.byteLength(value), replaced)) await this.evict();
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.file(key), { force: true });
  }

  async clear(): Promise<void> {
    await fsp.rm(this.dir, { recursive: true, force: true });
    this.bound.cleared();
  }

  /** Entries and their total size (for a "cache cleared" message). */
  async size(): Promise<{ files: number; bytes: number }> {
    const { entries } = await this.scan();
    return { files: entries.length, bytes: entries.reduce((n, e) => n + e.size, 0) };
  }

  private async scan(): Promise<{ entries: Entry[]; staleTemps: string[] }> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch {
      return { entries: [], staleTemps: [] };
    }
    const entries: Entry[] = [];
    const staleTemps: string[] = [];
    const now = Date.now();
    for (const name of names) {
      const path = join(this.dir, name);
      const stat = await fsp.stat(path).catch(() => undefined);
      if (!stat?.isFile()) continue;
      if (name.endsWith(TEMP)) {
        // Another process may be writing this one right now: only old ones are leftovers.
        if (now - stat.mtimeMs > STALE_TEMP_MS) staleTemps.push(path);
      } else if (name.endsWith(ENTRY)) {
        entries.push({ path, size: stat.size, mtime: stat.mtimeMs });
      }
    }
    return { entries, staleTemps };
  }

  /** Removes leftover temp files, and the oldest entries while the store is over its bound (see SizeBound). */
  private async evict(): Promise<void> {
    const { entries, staleTemps } = await this.scan();
    for (const path of staleTemps) await fsp.rm(path, { force: true });
    for (const e of this.bound.scanned(entries)) {
      await fsp.rm(e.path, { force: true });
      this.logger.debug(`cache: evicted ${e.path}`);
    }
  }
}
