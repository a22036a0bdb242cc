// `npm test`: every check of the project, in order, each phase reported with its time; keeps going after a
// failed phase so the summary is complete, exits non-zero if anything failed. Static checks count as one test
// each; the test phases contribute their own counts. The LAST line is exactly `N passed, N failed[, N skipped]`
// (CI reads it).
//   phases: host install (when missing) · check-types · lint · check:architecture · check:core · build · unit
//           · cli (dist/cli.js) · package (+ vsce ls)
//           · integration (code-server extension host) · UI (Chromium, command palette) · start (npm start --check)
// usage: node scripts/test-all.mjs [--only phase,phase]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(ROOT, 'test-results');
fs.mkdirSync(RESULTS, { recursive: true });
const { values: opt } = parseArgs({ options: { only: { type: 'string' } } });
const only = opt.only ? new Set(opt.only.split(',')) : undefined;
const node = process.execPath;
const bin = (p) => path.join(ROOT, 'node_modules', p);

function exec(args) {
  return new Promise((resolve) => {
    const p = spawn(node, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } });
    p.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    p.on('error', () => resolve(1));
  });
}

/** Reads {passed, failed, pending|skipped} written by a phase; a phase that failed without counts is one failure. */
function counts(file, code) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* no result file */
  }
  const c = { passed: r?.passed ?? 0, failed: r?.failed ?? 0, skipped: (r?.skipped ?? 0) + (r?.pending ?? 0), extra: r };
  if (code !== 0 && c.failed === 0) c.failed = 1;
  if (code === 0 && c.passed + c.failed + c.skipped === 0) c.failed = 1; // a test phase that ran nothing
  return c;
}
const check = (code) => ({ passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 });
const result = (name) => {
  const f = path.join(RESULTS, `${name}.json`);
  fs.rmSync(f, { force: true });
  return f;
};

const phases = [
  ['host', 'install apt packages and code-server when missing', async () => check(await exec(['scripts/host/install.mjs']))],
  ['check-types', 'tsc --noEmit', async () => check(await exec([bin('typescript/bin/tsc'), '--noEmit', '-p', '.']))],
  [
    'lint',
    'eslint, then prettier --check (npm run format fixes layout)',
    async () => {
      const eslint = await exec([bin('eslint/bin/eslint.js'), 'src', 'test', 'scripts', 'bench']);
      const prettier = await exec([bin('prettier/bin/prettier.cjs'), '--check', '.']);
      return check(eslint || prettier);
    },
  ],
  [
    'check:architecture',
    'file length, import cycles, hosts past the core entries, design-doc citations, long lines',
    async () => check(await exec(['scripts/check-architecture.mjs'])),
  ],
  ['check:core', 'src/core bundles for the browser', async () => check(await exec(['scripts/check-core.mjs']))],
  ['build', 'esbuild bundle', async () => check(await exec(['esbuild.mjs']))],
  [
    'unit',
    'node:test via tsx',
    async () => {
      fs.rmSync(path.join(RESULTS, 'unit.json'), { force: true });
      return counts(path.join(RESULTS, 'unit.json'), await exec(['scripts/test-unit.mjs']));
    },
  ],
  [
    'cli',
    'the built dist/cli.js in child processes against the fake servers',
    async () => counts(result('cli'), await exec(['scripts/test-cli.mjs', '--no-build'])),
  ],
  [
    'package',
    '.vsix with vsce, contents and size checked',
    async () => {
      const f = result('package');
      return counts(f, await exec(['scripts/package.mjs', '--skip-prepublish', '--result', f]));
    },
  ],
  [
    'integration',
    'mocha in the code-server extension host',
    async () => {
      const f = result('integration');
      return counts(f, await exec(['scripts/test-integration.mjs', '--result', f]));
    },
  ],
  [
    'ui',
    'command palette in Chromium',
    async () => {
      const f = result('ui');
      return counts(f, await exec(['scripts/test-ui.mjs', '--result', f]));
    },
  ],
  ['start', 'npm start -- --check: workbench served, extension active', async () => check(await exec(['scripts/start.mjs', '--check']))],
];

const T0 = Date.now();
const rows = [];
for (const [name, what, fn] of phases) {
  if (only && !only.has(name)) continue;
  console.log(`\n━━━ ${name}: ${what} ━━━`);
  const t0 = Date.now();
  let c;
  try {
    c = await fn();
  } catch (e) {
    console.error(`${name}: ${e.stack ?? e}`);
    c = { passed: 0, failed: 1, skipped: 0 };
  }
  const secs = (Date.now() - t0) / 1000;
  rows.push({ name, secs, ...c });
  console.log(
    `━━━ ${name}: ${c.failed ? 'FAILED' : 'ok'} — ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''} (${secs.toFixed(1)} s)`,
  );
}

console.log('\nphase          passed failed skipped    time');
for (const r of rows) {
  console.log(
    `${r.name.padEnd(14)} ${String(r.passed).padStart(6)} ${String(r.failed).padStart(6)} ${String(r.skipped).padStart(7)} ${r.secs.toFixed(1).padStart(6)} s${r.failed ? '  ✖' : ''}`,
  );
}
const pkg = rows.find((r) => r.name === 'package')?.extra;
const it = rows.find((r) => r.name === 'integration')?.extra;
const figures = [];
if (pkg?.vsixBytes)
  figures.push(
    `vsix ${(pkg.vsixBytes / 1024).toFixed(1)} KiB`,
    `bundle ${(pkg.bundleBytes / 1024).toFixed(1)} KiB (dist/ ${(pkg.distBytes / 1024).toFixed(1)} KiB)`,
  );
if (it?.activationMs !== undefined) figures.push(`activation ${it.activationMs} ms`);
console.log(`total ${((Date.now() - T0) / 1000).toFixed(1)} s${figures.length ? `; ${figures.join(', ')}` : ''}`);
const sum = (k) => rows.reduce((n, r) => n + r[k], 0);
const passed = sum('passed');
const failed = sum('failed');
const skipped = sum('skipped');
fs.writeFileSync(
  path.join(RESULTS, 'summary.json'),
  JSON.stringify(
    {
      passed,
      failed,
      skipped,
      phases: rows.map((r) => ({ name: r.name, secs: r.secs, passed: r.passed, failed: r.failed, skipped: r.skipped })),
    },
    null,
    2,
  ),
);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed ? 1 : 0;
