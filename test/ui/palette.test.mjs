// UI tests through the command palette of the real workbench (run by scripts/test-ui.mjs).
// Each test gets { page, ws, fakeUrl, shot(name) } with a fresh workspace copy and the extension loaded
// as a development extension.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openFile, runCommand, waitForFile } from './workbench.mjs';

export const tests = [
  {
    // Proves the harness end to end with a command that needs no model server.
    name: 'Research: Show Log opens the "Local Research Assistant" output channel',
    async run({ page, shot }) {
      await openFile(page, 'notes.md', { expectText: 'Sleep and memory consolidation' });
      await runCommand(page, 'Research: Show Log');
      const panel = page.locator('.part.panel');
      // the log line extension.ts writes on activation, shown in the Output view of our channel
      await panel.locator('.view-lines').filter({ hasText: 'activated in' }).waitFor({ timeout: 30_000 });
      const channel = await panel.locator('select.monaco-select-box, .monaco-select-box').first().inputValue().catch(async () =>
        panel.locator('.monaco-select-box').first().textContent());
      assert.match(String(channel), /Local Research Assistant/, `selected output channel: ${channel}`);
      await shot('ui-show-log');
    },
  },
  {
    // Issue #2's target: Summarize against the fake Ollama server, result in the editor and on disk.
    name: 'Research: Summarize inserts a summary from the fake server and it saves',
    async run({ page, ws, fakeUrl, shot }) {
      assert.ok(fakeUrl, 'the fake server did not start (test/fakeServer/cli.ts), so Summarize has no endpoint');
      // the models the fake server offers: the inserted block must name one of them (proof it came from there)
      const models = (await (await fetch(`${fakeUrl}/v1/models`)).json()).data.map((m) => m.id);
      const file = path.join(ws, 'notes.md');
      const before = fs.readFileSync(file, 'utf8');
      const editor = await openFile(page, 'notes.md', { expectText: 'Sleep and memory consolidation' });
      await editor.locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await runCommand(page, 'Research: Summarize');
      // the editor becomes dirty when the block is inserted (the tab shows the dirty dot)
      await page.locator('.tab.dirty', { hasText: 'notes.md' }).waitFor({ timeout: 120_000 });
      await page.keyboard.press('Control+S');
      const after = await waitForFile(file, (t) => t.includes('research:summary'), 120_000);
      assert.ok(after.startsWith(before.trimEnd()), 'the note\'s own text was changed');
      const block = after.slice(before.trimEnd().length);
      assert.ok(models.some((m) => block.includes(m)), `the block names none of the fake server's models (${models.join(', ')})`);
      assert.match(block, /\[!summary\]/, 'no summary callout');
      // and the editor shows it: go to the block's first line, then read the rendered lines
      const line = after.split('\n').findIndex((l) => l.includes('[!summary]')) + 1;
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input').fill(`:${line}`);
      await page.keyboard.press('Enter');
      await editor.locator('.view-lines').filter({ hasText: '[!summary]' }).waitFor({ timeout: 10_000 });
      await shot('ui-summarize');
    },
  },
];
