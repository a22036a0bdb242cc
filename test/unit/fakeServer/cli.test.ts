import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

void suite('fake server CLI', () => {
  void test('prints exactly one "listening" line on stdout, a canned-output banner on stderr, and serves', async () => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fakeServer/cli.ts', '--flavour', 'vllm', '--ctx', '2048', '--port', '0'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in 20 s:\n${stdout}\n${stderr}`)), 20_000);
        proc.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /^fake vllm server listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(stdout);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        proc.once('exit', (code) => reject(new Error(`CLI exited with ${String(code)}: ${stderr}`)));
      });
      assert.match(stderr, /CANNED/);
      const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ max_model_len: number }> };
      assert.equal(models.data[0]?.max_model_len, 2048);
    } finally {
      proc.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) =>
      proc.exitCode !== null ? resolve(proc.exitCode) : proc.once('exit', resolve),
    );
    assert.equal(code, 0, 'SIGTERM closes the server cleanly');
    assert.equal(stdout.split('\n').filter(Boolean).length, 1);
  });
});
