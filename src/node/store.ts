/**
 * A KeyValueStore of one file per key in a folder (the CLI's and the bench's persisted caches), bounded in
 * total size like the extension's global-storage store: over the limit, the least recently written entries go.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { nullLogger, type KeyValueStore, type Logger } from '../core';

const ENTRY = '.json';
const TEMP = '.tmp';
/** A temp file older than this is left over from a process that died mid-write. */
const STALE_TEMP_MS = 10 * 60_000;
/**
 * Writes between two looks at the whole folder. Between them the total is kept from the sizes written, so a write
 * costs no scan of every entry: scanning at each write made a library build of n papers O(n²) in stats (1,000
 * PDFs: about half a million). Another process writing the same folder is seen at the next scan.
 */
const WRITES_PER_SCAN = 256;

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
  private readonly maxBytes: number;
  private readonly logger: Logger;
  /** The entries' total size as of the last scan plus what was written since; unknown before the first write. */
  private total: number | undefined;
  private writesSinceScan = 0;

  constructor(
    readonly dir: string,
    options: NodeFileStoreOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
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
    this.writesSinceScan += 1;
    if (this.total !== undefined) this.total += Buffer.byteLength(value) - replaced;
    if (this.total === undefined || this.total > this.maxBytes || this.writesSinceScan >= WRITES_PER_SCAN) await this.evict();
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.file(key), { force: true });
  }

  async clear(): Promise<void> {
    await fsp.rm(this.dir, { recursive: true, force: true });
    this.total = 0;
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

  private async evict(): Promise<void> {
    const { entries, staleTemps } = await this.scan();
    this.writesSinceScan = 0;
    for (const path of staleTemps) await fsp.rm(path, { force: true });
    let total = entries.reduce((n, e) => n + e.size, 0);
    this.total = total;
    if (total <= this.maxBytes) return;
    entries.sort((a, b) => a.mtime - b.mtime);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      await fsp.rm(e.path, { force: true });
      total -= e.size;
      this.logger.debug(`cache: evicted ${e.path}`);
    }
    this.total = total;
  }
}
