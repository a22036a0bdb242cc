/**
 * Shared helpers of the bench children (bundled by scripts/bench.mjs with esbuild, run in plain Node):
 * a Node-fs implementation of the core's ports, so the measured paths read real files like the extension.
 */
import { promises as fsp, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { FileReader, KeyValueStore, WorkspaceIndex } from '../../src/core';

/** Wall time of one call, in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export function fileUri(path: string): string {
  return pathToFileURL(path).href.replace(/\/$/, '');
}

/** workspace.fs stand-in: real reads from disk (the extension reads through workspace.fs the same way). */
export class NodeFiles implements FileReader, WorkspaceIndex {
  private list: string[] | undefined;
  constructor(private readonly root: string) {}

  async readBytes(uri: string): Promise<Uint8Array> {
    // The Buffer itself (a Uint8Array), as workspace.fs hands over the bytes: no copy of a multi-MB PDF.
    return fsp.readFile(fileURLToPath(uri));
  }
  async readText(uri: string): Promise<string> {
    return fsp.readFile(fileURLToPath(uri), 'utf8');
  }
  async stat(uri: string): Promise<{ size: number; mtime: number } | undefined> {
    try {
      const s = await fsp.stat(fileURLToPath(uri));
      return { size: s.size, mtime: s.mtimeMs };
    } catch {
      return undefined;
    }
  }
  folders(): readonly string[] {
    return [fileUri(this.root)];
  }
  files(): Promise<readonly string[]> {
    // Cached like the adapter's workspace index.
    this.list ??= walk(this.root).map(fileUri);
    return Promise.resolve(this.list);
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}

/** A KeyValueStore of one JSON file per key, like the extension's global-storage store (VsCodeFileStore). */
export class NodeFileStore implements KeyValueStore {
  constructor(private readonly dir: string) {}
  private file(key: string): string {
    return join(this.dir, `${key.replace(/[^\w.-]/g, '_')}.json`);
  }
  async get(key: string): Promise<string | undefined> {
    try {
      return await fsp.readFile(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
  }
  async set(key: string, value: string): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    await fsp.writeFile(this.file(key), value);
  }
  async delete(key: string): Promise<void> {
    await fsp.rm(this.file(key), { force: true });
  }
  async clear(): Promise<void> {
    await fsp.rm(this.dir, { recursive: true, force: true });
  }
}
