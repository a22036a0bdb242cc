// `npm start`: builds the extension and serves a real VS Code (code-server 4.100.3) with it loaded as a
// development extension, on a fresh copy of sample-workspace/ (notes linking example papers). Open the
// printed URL in a browser. Ctrl+C stops everything.
//
// usage: npm start [-- --demo] [-- --port N] [-- --workspace DIR] [-- --check]
//   --demo       also start the fake model server (Ollama flavour) and point researchAssistant.endpoint at it:
//                answers are canned text, not a model's
//   --port N     serve on port N (default: a free port)
//   --workspace  open DIR in place instead of a copy of sample-workspace/
//   --check      start, verify in headless Chromium that the workbench runs with the extension active (its
//                "Research:" commands in the palette), screenshot test-results/start.png, stop; exit 0/1
//
// Why a development extension through the `payload` URL and not an installed .vsix: code-server rejects
// --extensionDevelopmentPath on its command line, but its web workbench accepts the same option in the URL,
// and a development extension runs straight from this checkout, so `npm run watch` + "Developer: Reload
// Window" picks up changes without repackaging.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeServer } from './host/fakeserver.mjs';
import { ensureHost } from './host/install.mjs';
import {
  ROOT,
  createRun,
  freshWorkspace,
  launchChromium,
  log,
  pruneOldRuns,
  run,
  startCodeServer,
  withLock,
  workbenchUrl,
} from './host/lib.mjs';

const { values: opt } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    port: { type: 'string' },
    workspace: { type: 'string' },
    check: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const runDir = createRun('start');
let server;
let fake;
let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  if (server) server.stop();
  if (fake) fake.stop();
  runDir.cleanup();
  process.exit(code);
}
process.on('SIGINT', () => {
  console.log('\nstopping…');
  stopAll(0);
});
process.on('SIGTERM', () => stopAll(0));

/** Opens the URL in headless Chromium and checks that the extension's commands are in the palette. */
async function selfCheck(url) {
  const browser = await launchChromium(path.join(runDir.dir, 'chromium'));
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'Reading notes.md' }).first();
    await row.waitFor({ timeout: 90_000 });
    await row.click();
    await page
      .locator('.editor-instance .monaco-editor .view-lines')
      .filter({ hasText: 'Urban heat islands' })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('>Research: ');
    const rows = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Research:' });
    await rows.first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    const titles = await rows.allTextContents();
    log(
      `check: ${titles.length} "Research:" commands in the palette, e.g. ${titles
        .slice(0, 3)
        .map((t) => JSON.stringify(t.trim()))
        .join(', ')}`,
    );
    // Summarize is offered only in markdown editors: seeing it proves the note opened and the extension's menus apply
    if (!titles.some((t) => t.includes('Research: Summarize'))) throw new Error('"Research: Summarize" is not in the palette');
    // listed commands come from the manifest alone; the activation line in our log channel proves the code runs
    await input.fill('>Research: Show Log');
    // Clicked, not Enter: Enter runs the focused row, which may still be the first row of the unfiltered list.
    const showLog = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Research: Show Log' }).first();
    await showLog.waitFor();
    await showLog.click();
    // The output view draws only the lines in sight and follows the end of the log: once the sample papers' reads
    // are logged, the activation line (the first) has scrolled out. Go to the top of the log before looking.
    const lines = page.locator('.part.panel .view-lines');
    await lines.first().waitFor({ timeout: 30_000 });
    await lines.first().click();
    await page.keyboard.press('Control+Home');
    const logLine = lines.filter({ hasText: 'activated in' });
    await logLine.waitFor({ timeout: 30_000 });
    log(`check: log channel says "${(await logLine.textContent())?.replace(/\s/g, ' ').match(/Local Research Assistant.*?ms/)?.[0]}"`);
    const shot = path.join(ROOT, 'test-results/start.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    log(`check: screenshot ${path.relative(ROOT, shot)}`);
  } finally {
    await browser.close();
  }
}

try {
  pruneOldRuns();
  const installed = ensureHost();
  if (installed.length) log(`installed: ${installed.join(', ')}`);
  const code = await withLock('build', () => run(process.execPath, ['esbuild.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] }));
  if (code !== 0) throw new Error('the build failed (node esbuild.mjs)');

  let folder;
  if (opt.workspace) {
    folder = path.resolve(opt.workspace);
  } else {
    folder = await freshWorkspace(
      path.join(ROOT, 'sample-workspace'),
      path.join(runDir.dir, 'sample-workspace'),
      path.join(ROOT, 'scripts/host/sample-papers.json'),
    );
  }

  const settings = {};
  if (opt.demo) {
    fake = await startFakeServer({ flavour: 'ollama' });
    settings['researchAssistant.endpoint'] = fake.url;
  }
  server = await startCodeServer({
    stateDir: runDir.stateDir,
    tmp: runDir.tmp,
    port: opt.port ? Number(opt.port) : undefined,
    settings,
    verbose: opt.verbose,
  });
  const url = workbenchUrl(server, { folder, devExt: ROOT });

  const line = '='.repeat(78);
  console.log(`\n${line}`);
  if (opt.demo) {
    console.log('  DEMO MODE: answers are canned output from a fake server, not a model.');
    console.log(`  Fake Ollama server: ${fake.url} (set as researchAssistant.endpoint for this session)`);
  } else {
    console.log('  Endpoint: auto (probes Ollama :11434, LM Studio :1234, vLLM :8000, llama.cpp :8080 on this machine).');
    console.log('  No model server? Try `npm start -- --demo` for canned answers from a fake server.');
  }
  console.log(`  Workspace: ${folder}${opt.workspace ? '' : ' (a fresh copy of sample-workspace/, removed on exit)'}`);
  console.log('\n  Open this URL in your browser:\n');
  console.log(`  ${url}\n`);
  console.log(`  (code-server on ${server.url}; Ctrl+C stops everything)`);
  console.log(line);

  if (opt.check) {
    await selfCheck(url);
    log('check passed: the workbench runs with the extension active');
    stopAll(0);
  } else {
    server.proc.once('exit', (c) => {
      log(`code-server exited (${c})`);
      stopAll(c ?? 1);
    });
  }
} catch (e) {
  console.error(`npm start failed: ${e.message ?? e}`);
  stopAll(1);
}
