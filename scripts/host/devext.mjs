// Builds the extension and lays it out as a development extension inside a run directory, so concurrent runs
// never load a dist/extension.js that another run is rewriting. The copy holds what the .vsix would hold
// (manifest, nls, dist, prompts, media, l10n) plus a node_modules link for the tests' `require('mocha')`.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, log, run, withLock } from './lib.mjs';

const SHIPPED = [
  'package.json',
  'package.nls.json',
  'package.nls.zh-cn.json',
  'dist',
  'prompts',
  'media',
  'l10n',
  'LICENSE',
  'README.md',
  'CHANGELOG.md',
];

export async function prepareExtension(runDir, { production = false } = {}) {
  const ext = path.join(runDir, 'ext');
  await withLock('build', async () => {
    const t0 = Date.now();
    const code = await run(process.execPath, ['esbuild.mjs', ...(production ? ['--production'] : [])], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (code !== 0) throw new Error(`esbuild.mjs failed (exit ${code})`);
    fs.mkdirSync(ext, { recursive: true });
    for (const name of SHIPPED) {
      const src = path.join(ROOT, name);
      if (fs.existsSync(src)) fs.cpSync(src, path.join(ext, name), { recursive: true });
    }
    log(`extension built and staged in ${Date.now() - t0} ms`);
  });
  // outside the copy: resolution of externals (mocha) and of anything a test loads from node_modules
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(ext, 'node_modules'), 'dir');
  return ext;
}
