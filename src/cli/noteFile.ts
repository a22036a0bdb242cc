/**
 * The note on disk: read once as the core's NoteDocument, and written back (for --write) in one atomic step —
 * a temp file beside it, then rename — so that a crash or a full disk leaves the previous file intact, and only
 * when the file is still the one that was read (an editor may have saved it meanwhile).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { NoteDocument } from '../core';
import { fileUri } from '../node/files';
import { InputError } from './exitCodes';

const BOM = '\uFEFF';

export interface NoteFile {
  readonly path: string;
  readonly document: NoteDocument;
  /** The text as read (without a byte-order mark, which is put back on write, as editors do). */
  readonly text: string;
  readonly bom: boolean;
  readonly mtimeMs: number;
  readonly size: number;
}

const LANGUAGES: Readonly<Record<string, string>> = { md: 'markdown', markdown: 'markdown', txt: 'plaintext', tex: 'latex', html: 'html' };

/** Reads a note; a missing, unreadable or binary file is an input error naming it. */
export async function readNote(path: string): Promise<NoteFile> {
  let bytes: Buffer;
  let stat: { mtimeMs: number; size: number; isFile(): boolean };
  try {
    stat = await fsp.stat(path);
    if (!stat.isFile()) throw new InputError(`${path} is not a file`);
    bytes = await fsp.readFile(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path} (${code ?? String(error)})`);
  }
  if (bytes.includes(0)) throw new InputError(`${path} is not a text file`);
  const raw = bytes.toString('utf8');
  const bom = raw.startsWith(BOM);
  const text = bom ? raw.slice(1) : raw;
  const extension = basename(path).split('.').pop()?.toLowerCase() ?? '';
  const document: NoteDocument = { uri: fileUri(path), version: 1, languageId: LANGUAGES[extension] ?? 'markdown', getText: () => text };
  return { path, document, text, bom, mtimeMs: stat.mtimeMs, size: stat.size };
}

/** The note changed on disk after it was read: writing would overwrite someone's edit. */
export class NoteChangedError extends Error {
  override readonly name = 'NoteChangedError';
}

/** Replaces the note's content with `text` atomically; refuses when the file changed since `note` was read. */
export async function writeNote(note: NoteFile, text: string): Promise<void> {
  const now = await fsp.stat(note.path).catch(() => undefined);
  if (!now || now.mtimeMs !== note.mtimeMs || now.size !== note.size) {
    throw new NoteChangedError(`${note.path} changed while the command ran, so the block was not written`);
  }
  const temp = join(dirname(note.path), `.${basename(note.path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fsp.open(temp, 'wx', now.mode & 0o7777);
    try {
      await handle.writeFile((note.bom ? BOM : '') + text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, note.path);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
}
