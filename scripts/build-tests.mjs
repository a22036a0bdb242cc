// Bundles the integration tests for the extension host: test/integration/index.ts (the mocha entry that
// exports run()) and every test/integration/**/*.test.ts, each into its own CommonJS file.
// Bundling (rather than tsc) lets tests import src/core and test/fakeServer directly; `vscode` is provided
// by the host and `mocha` is resolved from the repository's node_modules at run time.
// usage: node scripts/build-tests.mjs [--outdir DIR]     (default out/test/integration)
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'test/integration');

function findTests(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findTests(full));
    else if (e.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

export async function buildTests(outdir = path.join(ROOT, 'out/test/integration')) {
  const tests = findTests(SRC).sort();
  fs.rmSync(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(SRC, 'index.ts'), ...tests],
    outbase: SRC,
    outdir,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode', 'mocha'],
    // inline maps: mocha stack traces then point at the .ts lines
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'silent',
    define: { __VERSION__: JSON.stringify(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version) },
  });
  for (const w of result.warnings) console.warn(`build-tests warning: ${w.text}`);
  return { outdir, tests: tests.map((t) => path.relative(ROOT, t)) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  try {
    const { outdir, tests } = await buildTests(values.outdir && path.resolve(values.outdir));
    console.log(`build-tests: ${tests.length} test file(s) -> ${path.relative(ROOT, outdir) || outdir}`);
  } catch (e) {
    console.error('build-tests failed:');
    for (const err of e.errors ?? [e])
      console.error(`  ${err.text ?? err.message}${err.location ? ` (${err.location.file}:${err.location.line})` : ''}`);
    process.exit(1);
  }
}
