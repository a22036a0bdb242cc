// UI tests: the real code-server workbench in headless Debian Chromium, driven through the command palette.
// One code-server (the extension as a development extension, the fake Ollama server as its endpoint);
// every test gets a new page and a fresh copy of the fixture workspace. Screenshots go to test-results/.
// usage: node scripts/test-ui.mjs [--grep PATTERN] [--result FILE] [--verbose]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { prepareExtension } from './host/devext.mjs';
import { startFakeServer } from './host/fakeserver.mjs';
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
  options: { grep: { type: 'string' }, result: { type: 'string' }, verbose: { type: 'boolean', default: false } },
});
const RESULTS = path.join(ROOT, 'test-results');
fs.mkdirSync(RESULTS, { recursive: true });
const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 50);

const counts = { passed: 0, failed: 0, pending: 0 };
const failures = [];
const run = createRun('ui');
let server;
let browser;
let fake;
try {
  pruneOldRuns();
  const installed = ensureHost();
  if (installed.length) log(`installed: ${installed.join(', ')}`);
  const ext = await prepareExtension(run.dir);
  try {
    fake = await startFakeServer({ flavour: 'ollama' });
    log(`fake Ollama server on ${fake.url}`);
  } catch (e) {
    log(`fake server not available: ${e.message.split('\n')[0]} (tests that need it will fail)`);
  }
  server = await startCodeServer({
    stateDir: run.stateDir,
    tmp: run.tmp,
    verbose: opt.verbose,
    settings: fake ? { 'researchAssistant.endpoint': fake.url } : {},
  });
  log(`code-server on ${server.url} (run ${run.id})`);
  browser = await launchChromium(path.join(run.dir, 'chromium'));

  const files = fs
    .readdirSync(path.join(ROOT, 'test/ui'))
    .filter((f) => f.endsWith('.test.mjs'))
    .sort();
  let n = 0;
  for (const f of files) {
    const { tests } = await import(pathToFileURL(path.join(ROOT, 'test/ui', f)).href);
    for (const t of tests) {
      if (opt.grep && !new RegExp(opt.grep).test(t.name)) continue;
      n += 1;
      const t0 = Date.now();
      const ws = await freshWorkspace(
        path.join(ROOT, 'test/fixtures/workspace'),
        path.join(run.dir, `ws${n}`),
        path.join(ROOT, 'test/fixtures/workspace.pdfs.json'),
      );
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const external = [];
      watchExternalRequests(page, external);
      const shot = async (name) => {
        const file = path.join(RESULTS, `${name}.png`);
        await page.screenshot({ path: file });
        log(`screenshot ${path.relative(ROOT, file)}`);
      };
      try {
        await page.goto(workbenchUrl(server, { folder: ws, devExt: ext }));
        await t.run({ page, ws, fakeUrl: fake?.url, shot, server });
        if (external.length) throw new Error(`requests left the machine: ${external.join(', ')}`);
        counts.passed += 1;
        console.log(`  ✔ ${t.name} (${Date.now() - t0} ms)`);
      } catch (e) {
        counts.failed += 1;
        failures.push(t.name);
        console.log(
          `  ✖ ${t.name} (${Date.now() - t0} ms)\n      ${String(e.message ?? e)
            .split('\n')
            .join('\n      ')}`,
        );
        await page.screenshot({ path: path.join(RESULTS, `ui-failed-${slug(t.name)}.png`) }).catch(() => {});
      } finally {
        await context.close().catch(() => {});
      }
    }
  }
  if (n === 0) throw new Error('no UI test matched');
} catch (e) {
  console.error(`HARNESS ERROR: ${e.stack ?? e}`);
  counts.failed += 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) server.stop();
  if (fake) fake.stop();
  if (opt.result) fs.writeFileSync(path.resolve(opt.result), JSON.stringify(counts));
  log(`ui: ${counts.passed} passed, ${counts.failed} failed${failures.length ? ` (${failures.join('; ')})` : ''}`);
  run.cleanup();
  process.exit(counts.failed > 0 ? 1 : 0);
}
