// Unit tests of the host-neutral core (and of the fake servers) in plain Node: node:test through tsx.
// Prints the spec reporter to stdout and writes counts to test-results/<result>.json for the summary line.
// usage: node scripts/test-unit.mjs [--dir test/unit] [--result unit] [file-or-dir-filter…]
//   (--dir test/cli --result cli: the command-line tests, through scripts/test-cli.mjs)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values: opt, positionals: filters } = parseArgs({
  options: { dir: { type: 'string', default: 'test/unit' }, result: { type: 'string', default: 'unit' } },
  allowPositionals: true,
});

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = findTests(join(root, opt.dir))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`${opt.dir}: no test files matched`);
  process.exit(1);
}

mkdirSync(join(root, 'test-results'), { recursive: true });
const tap = join(root, `test-results/${opt.result}.tap`);
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);

const text = readFileSync(tap, 'utf8');
const count = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
const summary = { passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') + count('todo') };
writeFileSync(join(root, `test-results/${opt.result}.json`), JSON.stringify(summary));
process.exit(result.status ?? 1);
