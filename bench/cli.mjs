// Bench rows of the command-line tool: `research-assistant --version`, and a cached `summarize` end to end (process
// start to exit, reading the note, the linked paper's cached extraction and the cached result). Each run is a fresh
// process, as a shell script would start it; a fake server runs in a process of its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { startFakeServer } from '../scripts/host/fakeserver.mjs';
import { ROOT, run, withLock } from '../scripts/host/lib.mjs';

/** Wall time of one child process, start to exit, in ms; throws when it fails. */
function timedRun(args, options) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', ...options });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/**
 * @param {{ row: Function, runs: number, out: string, spread: Function, median: Function, say: Function, pdf?: string }} bench
 */
export async function cliRows({ row, runs, out, spread, median, say, pdf }) {
  const dir = path.join(out, 'cli');
  say('command line: production build of dist/cli.js');
  // A private copy of the production bundles: builds by others must not change them between the repeats.
  await withLock('build', async () => {
    const code = await run(process.execPath, ['esbuild.mjs', '--production'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (code !== 0) throw new Error(`esbuild.mjs --production failed (${code})`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ['cli.js', 'cliRun.js', 'pdfEngine.js', 'bibtexWorker.js'])
      fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(dir, f));
    fs.cpSync(path.join(ROOT, 'dist/cmaps'), path.join(dir, 'cmaps'), { recursive: true });
  });
  const cli = path.join(dir, 'cli.js');

  // --version, with a bare `node -e 0` alternating as the floor no Node program goes below.
  const version = [];
  const bare = [];
  timedRun([cli, '--version']);
  for (let i = 0; i < runs; i++) {
    version.push(timedRun([cli, '--version']).ms);
    bare.push(timedRun(['-e', '0']).ms);
  }
  row('CLI: `research-assistant --version`, process start to exit', {
    measured: `${spread(version)} (a bare \`node -e 0\`: ${spread(bare)}; dist/cli.js ${(fs.statSync(cli).size / 1024).toFixed(0)} KiB, the rest loads only to run a command)`,
    value: median(version),
    target: '≤ 150 ms',
    limit: 150,
    samples: version,
  });

  // A cached summarize: one run fills the caches (extraction and result), the measured ones are answered from them.
  const home = path.join(dir, 'home');
  const ws = path.join(dir, 'workspace');
  fs.mkdirSync(ws, { recursive: true });
  let args = ['summarize', 'note.md'];
  let what = 'of a note';
  if (pdf) {
    fs.copyFileSync(pdf, path.join(ws, 'paper.pdf'));
    args = ['summarize', 'note.md', '--link', 'paper.pdf'];
    what = `of a linked paper (${path.basename(pdf)}, ${(fs.statSync(pdf).size / 1024).toFixed(0)} KiB)`;
  }
  fs.writeFileSync(
    path.join(ws, 'note.md'),
    `# Reading notes\n\nThe paper: [[paper.pdf]]\n\n${'Slow-wave sleep supports the consolidation of declarative memory. '.repeat(200)}\n`,
  );
  const fake = await startFakeServer({ flavour: 'vllm', extraArgs: ['--ctx', '262144'] });
  try {
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RESEARCH_ASSISTANT_'))),
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
    };
    const options = { cwd: ws, env };
    const full = [cli, ...args, '--endpoint', fake.url];
    timedRun(full, options);
    const cached = [];
    for (let i = 0; i < runs; i++) {
      const r = timedRun(full, options);
      if (!/from the cache \(no request\)/.test(r.stderr)) throw new Error(`summarize was not answered from the cache: ${r.stderr}`);
      cached.push(r.ms);
    }
    row(`CLI: cached \`summarize\` ${what}, process start to exit (0 requests)`, {
      measured: spread(cached),
      value: median(cached),
      target: '≤ 300 ms',
      limit: 300,
      samples: cached,
    });
  } catch (error) {
    row('CLI: cached `summarize`', { reason: String(error.message ?? error).split('\n')[0] });
  } finally {
    fake.stop();
  }
}
