/**
 * The BibTeX parse on a worker thread. A Zotero export of several hundred entries takes a few hundred
 * milliseconds to parse, all of it synchronous: on the extension host's main thread that would stall every
 * extension (and typing in the editor) meanwhile. A bibliography is parsed about once per session (the
 * result is kept by content hash), so each parse gets a worker of its own, which ends with it.
 * The worker runs dist/bibtexWorker.js (the parser alone) beside the bundle when it is there, else this same
 * file (the engine bundle, or the .ts source under tsx).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { BibEntry, BibtexParser } from '../core/sources/bibliography';
import { bibtexParser } from './bibtex';

const WORKER_KIND = 'researchAssistant.bibtexParse';

type Reply = { readonly ok: true; readonly entries: readonly BibEntry[] } | { readonly ok: false; readonly message: string };

if (!isMainThread && (workerData as { kind?: string } | undefined)?.kind === WORKER_KIND) {
  const { text } = workerData as { text: string };
  bibtexParser.parse(text).then(
    (entries) => parentPort?.postMessage({ ok: true, entries } satisfies Reply),
    (error: unknown) =>
      parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies Reply),
  );
}

/** Parses on a worker thread when called on the main thread; in place when already on a worker. */
export const bibtexParserOffMainThread: BibtexParser = {
  parse(text: string): Promise<readonly BibEntry[]> {
    if (!isMainThread) return bibtexParser.parse(text);
    return new Promise((resolve, reject) => {
      const data = { kind: WORKER_KIND, text };
      // Under tsx (tests) this file is TypeScript: the worker registers tsx's CommonJS loader first.
      const worker = __filename.endsWith('.ts')
        ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(__filename)});`, {
            eval: true,
            workerData: data,
          })
        : new Worker(workerScript(), { workerData: data });
      let settled = false;
      const settle = (f: () => void): void => {
        if (settled) return;
        settled = true;
        f();
        void worker.terminate();
      };
      worker.once('message', (reply: Reply) =>
        settle(() => (reply.ok ? resolve(reply.entries) : reject(new Error(`the bibliography could not be parsed: ${reply.message}`)))),
      );
      worker.once('error', (error) => settle(() => reject(error)));
      worker.once('exit', (code) => settle(() => reject(new Error(`the bibliography parser stopped (exit code ${code})`))));
    });
  },
};

/** The parser's own small bundle when it ships beside this one, else this bundle (a copy of the engine alone). */
function workerScript(): string {
  const own = join(__dirname, 'bibtexWorker.js');
  return existsSync(own) ? own : __filename;
}
