// Starts the fake model server (test/fakeServer/cli.ts, owned by the fake-server work) as a child process and
// resolves with its URL from the line `listening on http://127.0.0.1:PORT` it prints.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';

export const FAKE_CLI = path.join(ROOT, 'test/fakeServer/cli.ts');

export function startFakeServer({ flavour = 'ollama', port = 0, extraArgs = [], echo = false } = {}) {
  if (!fs.existsSync(FAKE_CLI)) return Promise.reject(new Error(`${path.relative(ROOT, FAKE_CLI)} does not exist yet`));
  const proc = spawn(process.execPath, ['--import', 'tsx', FAKE_CLI, '--flavour', flavour, '--port', String(port), ...extraArgs], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
  };
  process.on('exit', stop);
  return new Promise((resolve, reject) => {
    let out = '';
    let stdout = '';
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`fake server printed no "listening on" line in 30 s:\n${out}`));
    }, 30_000);
    const onData = (d) => {
      out += d.toString();
      stdout += d.toString();
      if (echo) process.stdout.write(d);
      // wait for the whole line: a chunk may end inside the port number
      const m = /listening on (http:\/\/\S+)\r?\n/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1].replace(/\/$/, ''), proc, stop });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d) => {
      out += d.toString();
      if (echo) process.stderr.write(d);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fake server exited (${code}) before listening:\n${out}`));
    });
  });
}
