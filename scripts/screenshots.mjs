// `npm run screenshots`: (re)generates the README and walkthrough images from real runs of the extension in
// code-server (headless Chromium, driven through the palette like a user), on fresh copies of sample-workspace/.
// The model server is the fake Ollama server with SCRIPTED answers (test/ui/screenshotReplies.mjs: hand-written
// text about the sample papers, not a model's), so the pictures show readable output.
//
// Output: media/walkthrough/*.png (shipped in the .vsix, used by contributes.walkthroughs and the README) and
// media/readme/*.png (README only; .vscodeignore keeps them out of the .vsix).
// usage: node --import tsx scripts/screenshots.mjs [--only REGEX] [--verbose]   (npm run screenshots -- --only compare)
// Look at every image afterwards: a toast or a half-streamed block means a shot needs another run.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeServer } from '../test/fakeServer/index.ts';
import { replyState, scriptedReply } from '../test/ui/screenshotReplies.mjs';
import { openFile, runCommand, sleep } from '../test/ui/workbench.mjs';
import { prepareExtension } from './host/devext.mjs';
import { ensureHost } from './host/install.mjs';
import { ROOT, createRun, freshWorkspace, launchChromium, log, startCodeServer, watchExternalRequests, workbenchUrl } from './host/lib.mjs';

const { values: opt } = parseArgs({ options: { only: { type: 'string' }, verbose: { type: 'boolean', default: false } } });
const WALKTHROUGH = path.join(ROOT, 'media/walkthrough');
const README = path.join(ROOT, 'media/readme');
const VIEWPORT = { width: 1280, height: 800 };
const NOTE = 'Reading notes.md';
// a finished block: the last edit writes figures="…" into the start marker
const FINISHED = /<!-- research:[\w-]+ [^\n]*figures="\d+\/\d+"/;

/** Saves until the note on disk holds a finished block (the streamed preview has the markers already). */
async function saveUntilFinished(page, file, before, done = FINISHED, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Control+S');
    await sleep(800);
    const text = fs.readFileSync(file, 'utf8');
    if (text !== before && done.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`${path.basename(file)} never got a finished block; it holds:\n${text}`);
  }
}

/** Clears notification toasts (a finished command's message would cover the editor) and parks the mouse. */
async function tidy(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.mouse.move(VIEWPORT.width - 5, VIEWPORT.height / 2);
  await sleep(600);
}

/** Moves the cursor to a 1-based line (and column) through Go to Line, as a user would. */
async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').fill(`:${line}${column ? `:${column}` : ''}`);
  await page.keyboard.press('Enter');
  await sleep(300);
}

/**
 * Scrolls so `line` is about the top line: cursor to line 1, then Ctrl+Down (scroll one line, cursor stays)
 * line − 1 times. Wrapped lines make it approximate; the cursor ends off screen, so no line highlight shows.
 */
async function showFrom(page, line) {
  await goTo(page, 1);
  for (let i = 1; i < line; i += 1) await page.keyboard.press('Control+ArrowDown');
  await sleep(400);
}

/** Waits until some frame (webviews are nested iframes) shows `text`. */
async function waitForWebviewText(page, text, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (
        await frame
          .getByText(text)
          .first()
          .isVisible()
          .catch(() => false)
      )
        return;
    }
    await sleep(300);
  }
  throw new Error(`no webview showed "${text}"`);
}

/** The editor area (and the panel below it, when open): walkthrough images show what changed, not the whole window. */
async function editorClip(page) {
  const editor = await page.locator('.part.editor').boundingBox();
  const panel = await page
    .locator('.part.panel')
    .boundingBox()
    .catch(() => null);
  const bottom = panel && panel.height > 0 ? panel.y + panel.height : editor.y + editor.height;
  return { x: Math.round(editor.x), y: Math.round(editor.y), width: Math.round(editor.width), height: Math.round(bottom - editor.y) };
}

const lineOf = (text, needle) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

async function save(page, name, dirs, clip) {
  for (const dir of dirs) {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    // PNG: flat UI colours and text compress well and stay sharp (JPEG blurs small text for no gain)
    await page.screenshot({ path: file, type: 'png', ...(clip ? { clip } : {}) });
    log(`wrote ${path.relative(ROOT, file)} (${(fs.statSync(file).size / 1024).toFixed(0)} KiB)`);
  }
}

/** Runs Research: Summarize Linked Paper on the first paper link (through its CodeLens) and waits for the block. */
async function summarizeFirstPaper(page, ws) {
  // results are cached per input (in the host's storage, shared by all shots): start from an empty cache
  await openFile(page, NOTE, { expectText: 'Urban heat islands' });
  await runCommand(page, 'Research: Clear Cache');
  const file = path.join(ws, NOTE);
  const before = fs.readFileSync(file, 'utf8');
  await openFile(page, NOTE, { expectText: 'Urban heat islands' });
  const link = lineOf(before, 'okafor2019-heat-island.pdf');
  await goTo(page, link, 40);
  await runCommand(page, 'Research: Summarize Linked Paper');
  const after = await saveUntilFinished(page, file, before);
  return { file, after, link };
}

const SHOTS = [
  {
    name: 'select-model',
    async run({ page }) {
      await openFile(page, NOTE, { expectText: 'Urban heat islands' });
      await runCommand(page, 'Research: Select Model');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'qwen3:8b' }).first().waitFor({ timeout: 30_000 });
      await sleep(800);
      const box = await page.locator('.quick-input-widget').boundingBox();
      // the picker and the note under it, the status bar left out
      await save(page, 'select-model', [WALKTHROUGH], {
        x: 0,
        y: 0,
        width: VIEWPORT.width,
        height: Math.min(VIEWPORT.height, Math.round((box?.y ?? 0) + (box?.height ?? 400) + 120)),
      });
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'summarize',
    async run({ page, ws }) {
      const { after, link } = await summarizeFirstPaper(page, ws);
      await tidy(page);
      await showFrom(page, link - 3);
      await page.locator('.view-lines').filter({ hasText: '[!summary]' }).first().waitFor({ timeout: 10_000 });
      assertNo(after, /no scripted answer/);
      await save(page, 'summarize', [WALKTHROUGH], await editorClip(page));
    },
  },
  {
    name: 'grounding',
    async run({ page, ws }) {
      replyState.invented = true;
      try {
        const { after } = await summarizeFirstPaper(page, ws);
        await runCommand(page, 'Research: Check Grounding');
        await sleep(1500);
        await tidy(page);
        await page.keyboard.press('Control+Shift+M'); // the Problems panel
        await page.locator('.markers-panel .monaco-list-row').first().waitFor({ timeout: 20_000 });
        await showFrom(page, lineOf(after, '3.4 degrees') - 6);
        await page.mouse.move(VIEWPORT.width - 5, 60);
        await sleep(800);
        await save(page, 'grounding', [WALKTHROUGH], await editorClip(page));
      } finally {
        replyState.invented = false;
      }
    },
  },
  {
    name: 'compare',
    async run({ page, ws }) {
      const file = path.join(ws, NOTE);
      const before = fs.readFileSync(file, 'utf8');
      await openFile(page, NOTE, { expectText: 'Urban heat islands' });
      await goTo(page, lineOf(before, 'Definitions I keep forgetting'), 200);
      await runCommand(page, 'Research: Compare Linked Papers');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Sample size' }).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      const after = await saveUntilFinished(page, file, before);
      await tidy(page);
      await page.keyboard.press('Control+B'); // hide the explorer: the table needs the width
      await showFrom(page, lineOf(after, 'research:comparison') - 2);
      // the preview in place of the editor (a table this wide needs the whole width); it opens at the
      // editor's first visible line
      await page.keyboard.press('Control+Shift+V'); // Markdown: Open Preview (the palette would also match "…to the Side")
      await waitForWebviewText(page, 'Key result');
      await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height - 5);
      await sleep(2000);
      // down to the table's last row: the quote footnotes below it are a wall of text at this size
      const clip = await editorClip(page);
      for (const frame of page.frames()) {
        const table = await frame
          .locator('table')
          .first()
          .boundingBox()
          .catch(() => null);
        if (table) clip.height = Math.min(clip.height, Math.round(table.y + table.height + 6 - clip.y));
      }
      await save(page, 'compare', [WALKTHROUGH], clip);
    },
  },
  {
    name: 'explain-term',
    async run({ page, ws }) {
      const file = path.join(ws, NOTE);
      const before = fs.readFileSync(file, 'utf8');
      await openFile(page, NOTE, { expectText: 'Urban heat islands' });
      const line = lineOf(before, 'when the heat island is strongest');
      const col = (before.split('\n')[line - 1] ?? '').indexOf('heat island') + 1;
      await goTo(page, line, col);
      for (let i = 0; i < 'heat island'.length; i += 1) await page.keyboard.press('Shift+ArrowRight');
      await runCommand(page, 'Research: Explain Term');
      // a footnote has no block markers: done when its definition is there
      const after = await saveUntilFinished(page, file, before, /^\[\^[^\]]+\]: \S/m);
      await sleep(1000);
      await page.keyboard.press('End'); // drop the selection highlight
      await page.keyboard.press('Control+S');
      await tidy(page);
      await showFrom(page, lineOf(after, '## Papers') - 1);
      await save(page, 'explain-term', [README]);
    },
  },
  {
    name: 'ask',
    async run({ page, ws }) {
      const file = path.join(ws, NOTE);
      const before = fs.readFileSync(file, 'utf8');
      await openFile(page, NOTE, { expectText: 'Urban heat islands' });
      await goTo(page, lineOf(before, 'Do cool roofs help at night'), 200);
      await runCommand(page, 'Research: Ask About Note');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('Do cool roofs help at night, when the heat island is strongest?');
      await page.keyboard.press('Enter');
      const after = await saveUntilFinished(page, file, before);
      await tidy(page);
      await showFrom(page, lineOf(after, '## Open questions') - 2);
      await save(page, 'ask', [README]);
    },
  },
  {
    name: 'draft',
    async run({ page, ws }) {
      const file = path.join(ws, NOTE);
      const before = fs.readFileSync(file, 'utf8');
      await openFile(page, NOTE, { expectText: 'Urban heat islands' });
      await goTo(page, lineOf(before, '### Background'), 200);
      await runCommand(page, 'Research: Draft Section');
      const after = await saveUntilFinished(page, file, before);
      await tidy(page);
      await showFrom(page, lineOf(after, '## Draft outline') - 2);
      await save(page, 'draft', [README]);
    },
  },
  {
    name: 'walkthrough',
    async run({ page }) {
      await openFile(page, NOTE, { expectText: 'Urban heat islands' });
      await runCommand(page, 'Welcome: Open Walkthrough...');
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'Local Research Assistant' })
        .first()
        .waitFor({ timeout: 30_000 });
      await page.keyboard.type('Local Research Assistant');
      await sleep(500);
      await page.keyboard.press('Enter');
      await page.locator('.gettingStartedContainer').getByText('Local Research Assistant').first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Control+B');
      await page.mouse.move(VIEWPORT.width - 5, VIEWPORT.height / 2);
      await page
        .getByText('Activating Extensions')
        .waitFor({ state: 'detached', timeout: 30_000 })
        .catch(() => {});
      await waitForWebviewText(page, 'Start a local model server'); // the step's markdown media
      await sleep(1000);
      await save(page, 'walkthrough', [README]);
    },
  },
];

function assertNo(text, re) {
  if (re.test(text)) throw new Error(`the note holds ${re}: a prompt the scripted replies do not know`);
}

const run = createRun('shots');
let server;
let browser;
let fake;
let failed = 0;
try {
  const installed = ensureHost();
  if (installed.length) log(`installed: ${installed.join(', ')}`);
  const ext = await prepareExtension(run.dir);
  fake = await startFakeServer({
    flavour: 'ollama',
    reply: scriptedReply,
    models: ['qwen3:4b-instruct-2507', 'qwen3:8b', 'gemma3:12b', 'llama3.1:8b'],
  });
  log(`fake Ollama server (scripted answers) on ${fake.url}`);
  server = await startCodeServer({
    stateDir: run.stateDir,
    tmp: run.tmp,
    verbose: opt.verbose,
    settings: {
      'researchAssistant.endpoint': fake.url,
      'editor.minimap.enabled': false,
      'breadcrumbs.enabled': false,
      'workbench.tips.enabled': false,
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'editor.stickyScroll.enabled': false,
      // four columns fit the side-by-side preview; the quick pick still offers the others
      'researchAssistant.compare.columns': ['Aim', 'Method', 'Sample size', 'Key result'],
    },
  });
  browser = await launchChromium(path.join(run.dir, 'chromium'));
  let n = 0;
  for (const shot of SHOTS) {
    if (opt.only && !new RegExp(opt.only).test(shot.name)) continue;
    n += 1;
    const t0 = Date.now();
    const ws = await freshWorkspace(
      path.join(ROOT, 'sample-workspace'),
      path.join(run.dir, `ws${n}`),
      path.join(ROOT, 'scripts/host/sample-papers.json'),
    );
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const all = [];
    watchExternalRequests(page, all);
    // webview resources (the Markdown preview's CSS/JS) use *.vscode-resource.vscode-cdn.net URLs that the
    // webview's service worker answers from the local server; they never reach the network
    const leaked = () => all.filter((u) => !/^https:\/\/[\w.+-]+\.vscode-resource\.vscode-cdn\.net\//.test(u));
    try {
      await page.goto(workbenchUrl(server, { folder: ws, devExt: ext }));
      await shot.run({ page, ws });
      if (leaked().length) throw new Error(`requests left the machine: ${leaked().join(', ')}`);
      log(`✔ ${shot.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed += 1;
      log(
        `✖ ${shot.name}: ${String(e.message ?? e)
          .split('\n')
          .slice(0, 6)
          .join('\n    ')}`,
      );
      fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, `test-results/screenshot-failed-${shot.name}.png`) }).catch(() => {});
    } finally {
      await context.close().catch(() => {});
    }
  }
  if (n === 0) throw new Error(`no shot matches ${opt.only}`);
} catch (e) {
  console.error(`screenshots failed: ${e.stack ?? e}`);
  failed += 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) server.stop();
  if (fake) await fake.close().catch(() => {});
  run.cleanup();
}
log(failed ? `${failed} shot(s) failed` : 'all shots written; look at each image before committing');
process.exit(failed ? 1 : 0);
