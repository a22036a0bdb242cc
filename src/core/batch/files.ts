/**
 * What a batch run needs from the host's file system besides reading sources: the notes it writes and the queue it
 * keeps. Writes replace a file as a whole (temp file + rename on disk), so a killed process leaves the old file or
 * the new one, never half of one.
 */
import type { QueueStore } from './queue';

export interface BatchFiles {
  /** The file's text; `undefined` when it does not exist. */
  readText(uri: string, signal: AbortSignal): Promise<string | undefined>;
  /** The file's bytes (for the content hash of a paper that could not be read as text). */
  readBytes(uri: string, signal: AbortSignal): Promise<Uint8Array>;
  /** Creates or replaces the file (and its folders) atomically. */
  writeText(uri: string, text: string): Promise<void>;
}

/** The queue's file name, kept beside the notes so every host (editor, command line) resumes the same queue. */
export const QUEUE_FILE = '.research-assistant-batch.json';

/** The queue as one file of the host's. */
export function fileQueueStore(files: BatchFiles, uri: string): QueueStore {
  const never = new AbortController().signal;
  return { name: uri, read: () => files.readText(uri, never), write: (text) => files.writeText(uri, text) };
}

/** `folder` + `/` + `name`, without doubling the slash. */
export function joinUri(folder: string, name: string): string {
  return `${folder.replace(/\/+$/, '')}/${name.split('/').map(encodeURIComponent).join('/')}`;
}
