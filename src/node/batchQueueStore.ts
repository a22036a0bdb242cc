/**
 * Batch reading's files on Node (the command line, the bench, tests): the per-paper notes, the matrix and the
 * queue. A write goes to a temp file beside the target and is renamed over it, so a process killed mid-write
 * leaves the previous file or the new one, never a truncated one (rename within a folder is atomic on POSIX and NTFS).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import type { BatchFiles } from '../core';
import { filePath } from './files';

function missing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class NodeBatchFiles implements BatchFiles {
  async readText(uri: string): Promise<string | undefined> {
    try {
      return await fsp.readFile(filePath(uri), 'utf8');
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  }

  async readBytes(uri: string): Promise<Uint8Array> {
    return fsp.readFile(filePath(uri));
  }

  async writeText(uri: string, text: string): Promise<void> {
    const target = filePath(uri);
    await fsp.mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fsp.writeFile(temp, text);
      await fsp.rename(temp, target);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
  }
}
