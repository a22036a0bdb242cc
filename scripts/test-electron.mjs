// The integration suite in desktop VS Code through @vscode/test-electron, for people with internet: it
// downloads VS Code (version pinned in .vscode-test.mjs) from update.code.visualstudio.com. Not part of
// `npm test`: offline (and in CI here) the download fails; use `npm run test:integration` (code-server).
// usage: node scripts/test-electron.mjs [--grep PATTERN]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import config from '../.vscode-test.mjs';
import { buildTests } from './build-tests.mjs';
import { ROOT, createRun, freshWorkspace, log, run, withLock } from './host/lib.mjs';

const { values: opt } = parseArgs({ options: { grep: { type: 'string' } } });
const r = createRun('el');
let code = 1;
try {
  const built = await withLock('build', () => run(process.execPath, ['esbuild.mjs']));
  if (built !== 0) throw new Error('the build failed (node esbuild.mjs)');
  const { outdir } = await buildTests(path.join(ROOT, 'out/test/integration'));
  const ws = await freshWorkspace(
    path.join(ROOT, config.workspaceFolder),
    path.join(r.dir, 'ws'),
    path.join(ROOT, 'test/fixtures/workspace.pdfs.json'),
  );
  const resultFile = path.join(r.dir, 'result.json');
  code = await runTests({
    version: config.version,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(outdir, 'index.js'),
    launchArgs: [ws, ...config.launchArgs, '--user-data-dir', path.join(r.dir, 'ud'), '--extensions-dir', path.join(r.dir, 'ext')],
    extensionTestsEnv: {
      RA_TEST_RESULT_FILE: resultFile,
      RA_TEST_GREP: opt.grep ?? '',
      RA_REPO_ROOT: ROOT,
      RA_FIXTURES: path.join(ROOT, 'test/fixtures'),
    },
  });
  if (fs.existsSync(resultFile)) log(`result: ${fs.readFileSync(resultFile, 'utf8')}`);
} catch (e) {
  const text = String(e?.message ?? e);
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|Failed to (get|download)|Error: connect/i.test(text)) {
    console.error(`\ntest-electron: could not download VS Code ${config.version} (${text.split('\n')[0]}).`);
    console.error('This route needs internet access to update.code.visualstudio.com.');
    console.error('Offline, run the same suite in code-server instead:  npm run test:integration\n');
  } else {
    console.error(`test-electron failed: ${e?.stack ?? text}`);
  }
  code = typeof code === 'number' && code !== 0 ? code : 1;
} finally {
  r.cleanup();
}
process.exit(code);
