/**
 * The fake model server in a child process (bench/node/fakeServerProcess.ts, bundled beside the caller), so its
 * work does not share the measured client's event loop; `stats()` reads its counters over stdio.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import type { FakeServerOptions, FakeStats } from '../../test/fakeServer/index';

export interface FakeProcess {
  readonly url: string;
  readonly port: number;
  stats(): Promise<FakeStats>;
  close(): Promise<void>;
}

/** Starts bench/node/fakeServerProcess.ts (bundled beside this file) and talks to it over stdio. */
export function startFakeProcess(options: FakeServerOptions): Promise<FakeProcess> {
  const proc = spawn(process.execPath, [join(dirname(__filename), 'fakeServerProcess.cjs'), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  return next().then((first) => {
    const { url } = JSON.parse(first) as { url: string };
    return {
      url,
      port: Number(new URL(url).port),
      stats: async () => {
        const answer = next();
        proc.stdin.write('stats\n');
        return JSON.parse(await answer) as FakeStats;
      },
      close: () =>
        new Promise<void>((resolve) => {
          proc.once('exit', () => resolve());
          proc.stdin.end();
        }),
    };
  });
}
