// `npm run package`: the .vsix with @vscode/vsce (offline; vsce needs no network), then a check that it holds
// only what ships and stays under 4 MB. Everything is bundled, hence --no-dependencies.
// --no-rewrite-relative-links: vsce would otherwise refuse README's relative links, since the manifest's
// repository is not on GitHub/GitLab.
// usage: node scripts/package.mjs [--skip-prepublish] [--out FILE] [--result FILE]
//   default           vsce package runs `vscode:prepublish` (check-types, lint, production bundle)
//   --skip-prepublish for scripts/test-all.mjs, which has run those checks as phases of their own: only the
//                     production bundle is built, then vsce's pack() writes the .vsix
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, log, run, withLock } from './host/lib.mjs';

const MAX_BYTES = 4 * 1024 * 1024;
// what a .vsix may contain (paths relative to the extension root)
const ALLOWED = [
  /^dist\/(?!.*\.map$).+/,
  /^media\/.+/,
  /^prompts\/.+/,
  /^l10n\/.+/,
  /^package\.json$/,
  /^package\.nls(\.[\w-]+)?\.json$/,
  /^README\.md$/i,
  /^CHANGELOG\.md$/i,
  /^LICENSE(\.txt|\.md)?$/,
];
// vsce stores readme.md and changelog.md in lower case
const REQUIRED = [
  'package.json',
  'package.nls.json',
  'dist/extension.js',
  'dist/features.js',
  'dist/preview.js',
  'dist/pdfEngine.js',
  'dist/bibtexWorker.js',
  'media/icon.png',
  'media/preview.css',
  'README.md',
  'CHANGELOG.md',
];

const { values: opt } = parseArgs({
  options: { 'skip-prepublish': { type: 'boolean', default: false }, out: { type: 'string' }, result: { type: 'string' } },
});
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const out = path.resolve(opt.out ?? path.join(ROOT, `${manifest.name}-${manifest.version}.vsix`));
const vsce = path.join(ROOT, 'node_modules/@vscode/vsce/vsce');
const checks = [];
const info = {};
const check = (name, ok, detail = '') => {
  checks.push({ name, ok });
  console.log(`  ${ok ? '✔' : '✖'} ${name}${detail ? `: ${detail}` : ''}`);
};

try {
  const t0 = Date.now();
  fs.rmSync(out, { force: true });
  if (opt['skip-prepublish']) {
    await withLock('build', async () => {
      const code = await run(process.execPath, ['esbuild.mjs', '--production']);
      if (code !== 0) throw new Error(`production bundle failed (exit ${code})`);
      // pack() is vsce package without the prepublish step (vsce 3.9 has no flag for that)
      const { pack } = createRequire(import.meta.url)(path.join(ROOT, 'node_modules/@vscode/vsce/out/package.js'));
      await pack({ cwd: ROOT, packagePath: out, dependencies: false, rewriteRelativeLinks: false });
    });
  } else {
    const code = await run(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out]);
    if (code !== 0) throw new Error(`vsce package failed (exit ${code})`);
  }
  const bytes = fs.statSync(out).size;
  log(`packaged ${path.relative(ROOT, out)}: ${(bytes / 1024).toFixed(1)} KiB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  check('.vsix is under 4 MB', bytes < MAX_BYTES, `${(bytes / 1024).toFixed(1)} KiB`);

  // what vsce says it would ship (the .vscodeignore result)...
  const listed = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const stray = listed.filter((f) => !ALLOWED.some((re) => re.test(f)));
  check(
    'vsce ls lists only shipped files',
    stray.length === 0,
    stray.length ? `unexpected: ${stray.join(', ')}` : `${listed.length} files`,
  );
  // ...and what the .vsix really holds (a zip: extension/<file> plus vsce's manifest files)
  const sizes = Object.fromEntries(
    execFileSync(
      'python3',
      ['-c', 'import sys,zipfile;[print(i.file_size, i.filename) for i in zipfile.ZipFile(sys.argv[1]).infolist()]', out],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter((l) => l.includes(' extension/'))
      .map((l) => [l.slice(l.indexOf(' extension/') + 11), Number(l.split(' ')[0])]),
  );
  const entries = Object.keys(sizes);
  const strayZip = entries.filter((f) => !ALLOWED.some((re) => re.test(f)));
  check(
    '.vsix holds only shipped files',
    strayZip.length === 0,
    strayZip.length ? `unexpected: ${strayZip.join(', ')}` : `${entries.length} files`,
  );
  const cliFiles = entries.filter((f) => /^dist\/cli(Run)?\.js$/.test(f) || f.startsWith('bin/'));
  check('.vsix leaves out the command-line tool (it ships with npm)', cliFiles.length === 0, cliFiles.join(', '));
  const lower = new Set(entries.map((e) => e.toLowerCase()));
  const missing = REQUIRED.filter((f) => !lower.has(f.toLowerCase()));
  check(
    '.vsix holds the manifest, bundles, icon, README and CHANGELOG',
    missing.length === 0,
    missing.length ? `missing: ${missing.join(', ')}` : '',
  );
  // measured inside the .vsix: dist/ may meanwhile hold a development build of a concurrent run.
  // The bundle = the activation entry + the lazily loaded features (without the PDF engine).
  const entry = sizes['dist/extension.js'] ?? 0;
  const bundle = entry + (sizes['dist/features.js'] ?? 0);
  const distTotal = Object.entries(sizes)
    .filter(([f]) => f.startsWith('dist/'))
    .reduce((n, [, b]) => n + b, 0);
  log(
    `bundle dist/extension.js + dist/features.js: ${(entry / 1024).toFixed(1)} + ${((bundle - entry) / 1024).toFixed(1)} KiB (all of dist/: ${(distTotal / 1024).toFixed(1)} KiB)`,
  );
  Object.assign(info, { vsixBytes: bytes, bundleBytes: bundle, entryBytes: entry, distBytes: distTotal, files: entries });
} catch (e) {
  console.error(`package failed: ${e.message ?? e}`);
  check('package builds', false);
}
const failed = checks.filter((c) => !c.ok).length;
if (opt.result) fs.writeFileSync(path.resolve(opt.result), JSON.stringify({ ...info, passed: checks.length - failed, failed }));
process.exit(failed ? 1 : 0);
