// UI test of cancelling a run: Research: Summarize through the palette against a slowly streaming
// fake Ollama server, then a click on the progress notification's Cancel button, once per
// researchAssistant.onCancel value. The document is checked on disk after Ctrl+S.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeServer } from '../../scripts/host/fakeserver.mjs';
import { openFile, runCommand, saveUntil, sleep } from './workbench.mjs';

/**
 * The run's user and remote (Machine) settings.json: code-server's --user-data-dir (the harness passes the
 * server, not its state dir). The endpoint is machine-scoped, so the remote file is the one that counts.
 */
function settingsFiles(server) {
  const args = server.proc.spawnargs;
  const i = args.indexOf('--user-data-dir');
  assert.ok(i > 0, 'code-server was started without --user-data-dir');
  return ['User', 'Machine'].map((kind) => path.join(args[i + 1], kind, 'settings.json'));
}

/**
 * Reloads the workbench (a new extension host reads the settings file) and opens the note, waiting until the
 * note is syntax-highlighted: the workbench has then scanned its extensions (our extension activates on its
 * first command, so it shows nothing before). A workbench that has not come up after a reload (seen now and
 * then on a loaded machine: a plain-text editor) gets one more reload.
 */
async function reloadWithNote(page) {
  for (let attempt = 1; ; attempt++) {
    await page.reload();
    const editor = await openFile(page, 'notes.md', { expectText: 'Sleep and memory consolidation' });
    try {
      await editor.locator('.view-lines span[class^="mtk"]:not(.mtk1)').first().waitFor({ timeout: 45_000 });
      return editor;
    } catch (error) {
      if (attempt >= 2) throw new Error(`the workbench did not come up after ${attempt} reloads: ${error.message}`);
    }
  }
}

export const tests = [
  {
    name: "Research: Summarize, then the progress notification's Cancel: the partial block is removed (onCancel=remove) or kept marked incomplete (keep)",
    async run({ page, ws, server, shot }) {
      // A fake server of our own that streams 300 words at 15 tokens/s: ~40 s, so the run is surely still
      // streaming when Cancel is clicked.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ra-ui-cancel-'));
      const reply = path.join(dir, 'reply.txt');
      fs.writeFileSync(reply, Array.from({ length: 300 }, (_, i) => `word${i}`).join(' '));
      const slow = await startFakeServer({ flavour: 'ollama', extraArgs: ['--tps', '15', '--reply-file', reply] });
      const files = settingsFiles(server);
      const saved = files.map((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '{}'));
      // Written whole and renamed into place: the workbench watches the files and must never read one half-written.
      const writeSettings = (file, text) => {
        fs.writeFileSync(`${file}.tmp`, text);
        fs.renameSync(`${file}.tmp`, file);
      };
      const setSettings = (extra) =>
        files.forEach((f, k) =>
          writeSettings(f, JSON.stringify({ ...JSON.parse(saved[k] ?? '{}'), 'researchAssistant.endpoint': slow.url, ...extra }, null, 2)),
        );
      try {
        const file = path.join(ws, 'notes.md');
        const original = fs.readFileSync(file, 'utf8');
        for (const mode of ['remove', 'keep']) {
          // Settings read at start-up: write them, then reload the workbench (a new extension host reads them).
          setSettings({ 'researchAssistant.onCancel': mode });
          const editor = await reloadWithNote(page);
          await editor.locator('.view-lines').click();
          await page.keyboard.press('Control+Home');
          await runCommand(page, 'Research: Summarize');
          await editor.locator('.view-lines').filter({ hasText: 'word4' }).waitFor({ timeout: 60_000 });
          const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Research: Summarize' }).first();
          const cancel = toast.locator('.monaco-button', { hasText: 'Cancel' });
          await cancel.waitFor({ timeout: 10_000 });
          await shot(`ui-cancel-${mode}-streaming`);
          await cancel.click();
          // The notification goes away once the run has stopped.
          await toast.waitFor({ state: 'detached', timeout: 15_000 });
          await sleep(500);
          const words = await editor.locator('.view-lines').innerText();
          await shot(`ui-cancel-${mode}-after`);
          if (mode === 'remove') {
            assert.ok(!/word\d/.test(words), `streamed words are still shown:\n${words.slice(0, 500)}`);
            const text = await saveUntil(page, file, (t) => t === original, 30_000);
            assert.equal(text, original);
          } else {
            const text = await saveUntil(page, file, (t) => t.includes('incomplete="true"'), 30_000);
            const block =
              /<!-- research:summary target="note" [^\n]*incomplete="true" -->\n> \[!summary\] Summary \(incomplete\)\n>\n> (word[\s\S]*?)\n<!-- \/research:summary -->\n/.exec(
                text,
              );
            assert.ok(block, `no incomplete block:\n${text}`);
            const shown = (block[1] ?? '').match(/word\d+/g) ?? [];
            assert.ok(shown.length >= 5 && shown.length < 300, `kept ${shown.length} words`);
            // Apart from the kept block the note is as before.
            assert.equal(text.replace(/\n?<!-- research:summary[\s\S]*<!-- \/research:summary -->\n/, ''), original);
          }
        }
      } finally {
        files.forEach((f, k) => writeSettings(f, saved[k] ?? '{}'));
        slow.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
