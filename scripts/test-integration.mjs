// Integration tests inside the REAL VS Code extension host (code-server 4.100.3 + headless Chromium).
// The built extension is loaded as a development extension and the bundled mocha suite as extensionTestsPath,
// exactly like `code --extensionDevelopmentPath --extensionTestsPath` on desktop. The browser is only the
// renderer: it hands the host's exit code back through window.codeAutomationExit and mocha's output through
// window.codeAutomationLog.
//
// usage: node scripts/test-integration.mjs [--grep PATTERN] [--workspace DIR] [--timeout SEC] [--verbose]
//        [--result FILE]   (write {passed, failed, pending} there; scripts/test-all.mjs reads it)
// exit: the extension host's exit code (0 = all passed); 2 = harness error or timeout.
// Env: KEEP_RUN=1 keeps .vscode-test/runs/<id>/; RA_FORCE_FAIL=1 adds a failing test (proves failures count).
import fs from 'node:fs';
import path from 'node:path';
import { format, parseArgs } from 'node:util';
import { buildTests } from './build-tests.mjs';
import { prepareExtension } from './host/devext.mjs';
import { ensureHost } from './host/install.mjs';
import {
  ROOT,
  createRun,
  freshWorkspace,
  launchChromium,
  log,
  pruneOldRuns,
  startCodeServer,
  watchExternalRequests,
  workbenchUrl,
} from './host/lib.mjs';

const { values: opt } = parseArgs({
  options: {
    grep: { type: 'string' },
    workspace: { type: 'string' },
    timeout: { type: 'string', default: '600' },
    verbose: { type: 'boolean', default: false },
    result: { type: 'string' },
  },
});

const T0 = Date.now();
const secs = () => `${((Date.now() - T0) / 1000).toFixed(1)} s`;
const LOGS_DIR = path.join(ROOT, 'test-results/integration-logs');
// the workbench's own console chatter; shown with --verbose only
const NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|\[Service Worker\]|Ignoring fetching additional builtin|ChatSessionStore|Updating additional builtin|Started local extension host|\[(Extension Host|LocalProcess)\])/;

/** Finds the "activated in X ms" line the extension writes to its log channel. */
function findActivation(dir) {
  if (!fs.existsSync(dir)) return undefined;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.log')) continue;
    const text = fs.readFileSync(path.join(e.parentPath ?? e.path, e.name), 'utf8');
    const m = /activated in ([\d.]+) ms/.exec(text);
    if (m) return Number(m[1]);
  }
  return undefined;
}

let code = 2;
let summary;
let server;
let browser;
const run = createRun('it');
const resultFile = path.join(run.dir, 'result.json');
const external = [];
try {
  pruneOldRuns();
  const installed = ensureHost();
  if (installed.length) log(`installed: ${installed.join(', ')}`);
  const ext = await prepareExtension(run.dir);
  const { outdir: tests, tests: testFiles } = await buildTests(path.join(run.dir, 'tests'));
  log(`${testFiles.length} test file(s): ${testFiles.map((f) => path.basename(f)).join(', ')}`);
  const ws = opt.workspace
    ? path.resolve(opt.workspace)
    : await freshWorkspace(
        path.join(ROOT, 'test/fixtures/workspace'),
        path.join(run.dir, 'ws'),
        path.join(ROOT, 'test/fixtures/workspace.pdfs.json'),
      );

  server = await startCodeServer({
    stateDir: run.stateDir,
    tmp: run.tmp,
    verbose: opt.verbose,
    env: {
      RA_TEST_RESULT_FILE: resultFile,
      RA_TEST_GREP: opt.grep ?? '',
      RA_REPO_ROOT: ROOT,
      RA_FIXTURES: path.join(ROOT, 'test/fixtures'),
      // The server's log folder: tests read the extension host's log there (VS Code's own warnings about our API use).
      RA_LOGS_DIR: path.join(run.stateDir, 'ud/logs'),
    },
    extraArgs: process.env.CODE_SERVER_ARGS ? process.env.CODE_SERVER_ARGS.split(' ') : [],
  });
  log(`code-server on ${server.url} (run ${run.id})`);
  browser = await launchChromium(path.join(run.dir, 'chromium'));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  watchExternalRequests(page, external);
  page.on('pageerror', (e) => opt.verbose && log('pageerror:', e.message));

  // Both hooks must exist before the workbench boots, so they are exposed before goto().
  let onExit;
  const exited = new Promise((resolve) => (onExit = resolve));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // args is the console.* argument list of the original call (printf style: mocha sends "%s%s")
    const line = format(...(Array.isArray(args) ? args : [args]));
    if (!opt.verbose && NOISE.test(line)) return;
    (type === 'error' ? console.error : console.log)(line);
  });
  await page.exposeFunction('codeAutomationExit', (exitCode, logs) => {
    fs.rmSync(LOGS_DIR, { recursive: true, force: true });
    for (const l of Array.isArray(logs) ? logs : []) {
      const dest = path.join(LOGS_DIR, 'workbench', String(l.relativePath).replace(/\.\.+/g, '_'));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, String(l.contents));
    }
    onExit(exitCode);
  });
  await page.goto(workbenchUrl(server, { folder: ws, devExt: ext, testsPath: path.join(tests, 'index.js') }));

  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), Number(opt.timeout) * 1000).unref());
  const r = await Promise.race([exited, timeout]);
  if (r === 'timeout') {
    const shot = path.join(ROOT, 'test-results/integration-timeout.png');
    await page.screenshot({ path: shot }).catch(() => {});
    log(`TIMEOUT after ${opt.timeout} s (screenshot ${path.relative(ROOT, shot)})`);
  } else {
    code = Number(r);
    log(`extension host exited with code ${code} (${secs()})`);
  }
} catch (e) {
  console.error(`HARNESS ERROR: ${e.stack ?? e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) server.stop();
  try {
    // the extension host's own logs (our log channel among them) are written on the server side
    fs.cpSync(path.join(run.stateDir, 'ud/logs'), path.join(LOGS_DIR, 'server'), { recursive: true });
    fs.cpSync(path.join(run.stateDir, 'code-server.log'), path.join(LOGS_DIR, 'code-server.log'));
  } catch {
    /* nothing started */
  }
  const activation = findActivation(LOGS_DIR);
  if (activation !== undefined) log(`activation time (from the log channel): ${activation} ms`);
  if (external.length) log(`WARNING: requests that left the machine: ${external.join(', ')}`);
  if (fs.existsSync(resultFile)) summary = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  // no summary from mocha = the run itself broke: count it as one failure so it cannot pass unnoticed
  summary ??= { passed: 0, failed: 1, pending: 0, harnessError: true };
  if (code === 0 && summary.failed > 0) code = 1;
  if (code !== 0 && summary.failed === 0) summary.failed = 1;
  summary.activationMs = activation;
  if (opt.result) fs.writeFileSync(path.resolve(opt.result), JSON.stringify(summary));
  log(
    `integration: ${summary.passed} passed, ${summary.failed} failed, ${summary.pending} pending; exit ${code} in ${secs()}; logs in ${path.relative(ROOT, LOGS_DIR)}`,
  );
  run.cleanup();
  process.exit(code);
}
