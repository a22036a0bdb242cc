import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { LibraryIndex, type Logger } from '../../../src/core';
import { NodeLibraryStore } from '../../../src/node/libraryStore';

const KILLS = 6;

/** Starts the writer, waits until it writes, lets it run for `ms`, then SIGKILLs it. */
async function runAndKill(writer: string, dir: string, seed: number, ms: number): Promise<void> {
  const child = spawn(process.execPath, [writer, dir, String(seed)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    void exited.then((code) => reject(new Error(`the writer exited (${code}) before it started: ${err}`)));
  });
  await sleep(ms);
  child.kill('SIGKILL');
  await exited;
  assert.equal(err, '', 'the writer failed by itself');
}

test('a writer killed at random moments leaves the old or the new index, never a corrupt one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ra-libkill-'));
  // Bundled once, so that each writer starts in a fraction of a second and the kills land while it writes.
  const writer = join(dir, 'writer.cjs');
  await esbuild.build({
    entryPoints: [join(import.meta.dirname, 'killWriter.ts')],
    outfile: writer,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
  });
  const store = join(dir, 'index');
  let recordsSeen = 0;
  try {
    let seed = Date.now() % 100_000;
    for (let kill = 0; kill < KILLS; kill++) {
      await runAndKill(writer, store, seed++, 100 + ((seed * 7919) % 700));
      const warnings: string[] = [];
      const log = (m: string | Error) => warnings.push(String(m));
      const logger: Logger = { trace: () => {}, debug: () => {}, info: () => {}, warn: log, error: log };
      const index = await LibraryIndex.open(new NodeLibraryStore(store), logger);
      const signal = new AbortController().signal;
      recordsSeen += index.records().length;
      for (const record of index.records()) {
        const n = /file(\d+)/.exec(record.path)![1];
        const found = await index.search(`file${n}`, { limit: 100, uris: [record.uri], signal });
        assert.equal(found.length, record.status.state === 'indexed' ? record.status.chunks : 0, record.path);
        for (const passage of found)
          assert.ok(passage.text.startsWith(`file${n} v${record.hash} `), `${record.path}: ${passage.text.slice(0, 40)}`);
        const byHash = await index.search(`v${record.hash}`, { limit: 100, signal });
        assert.ok(byHash.length > 0 && byHash.every((p) => p.uri === record.uri), `v${record.hash}`);
      }
      assert.deepEqual(warnings, [], 'nothing stored was found damaged');
    }
    assert.ok(recordsSeen > 0, 'the writers saved something before they were killed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
