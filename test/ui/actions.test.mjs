// UI tests of the actions (Compare Linked Papers, Ask About Note) through the command palette, against the fake Ollama server's canned answers.
import assert from 'node:assert/strict';
import path from 'node:path';
import { openFile, runCommand, saveUntil } from './workbench.mjs';

export const tests = [
  {
    name: 'Research: Compare Linked Papers: columns from the quick pick, a table rendered by code, saved',
    async run({ page, ws, fakeUrl, shot }) {
      assert.ok(fakeUrl, 'the fake server did not start');
      const file = path.join(ws, 'notes.md');
      const editor = await openFile(page, 'notes.md', { expectText: 'Sleep and memory consolidation' });
      await editor.locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await runCommand(page, 'Research: Compare Linked Papers');
      // The column picker: defaults ticked; type one more column and press Enter to add it, Enter again to accept.
      const input = page.locator('.quick-input-widget input');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Sample size' }).first().waitFor({ timeout: 30_000 });
      await input.fill('Country');
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Country' }).first().waitFor({ timeout: 10_000 });
      await shot('ui-compare-columns');
      await page.keyboard.press('Enter');
      const text = await saveUntil(page, file, (t) => /<!-- research:comparison [^\n]*figures="\d+\/\d+" -->/.test(t)).catch(async (e) => {
        await shot('ui-compare-failure');
        throw e;
      });
      const table = /<!-- research:comparison[^\n]*-->\n([\s\S]*?)<!-- \/research:comparison -->/.exec(text)?.[1] ?? '';
      const header = table.split('\n')[0] ?? '';
      assert.match(header, /^\| Paper +\| Aim +\| Method +\| Data +\| Sample size +\| Key result +\| Limitations +\| Country +\|$/);
      assert.ok((table.match(/^\| \[\[papers\/smith2021-sleep\.pdf\]\]/m) ?? []).length === 1, table);
      await shot('ui-compare');
    },
  },
  {
    name: 'Research: Ask About Note: question in an input box, answer block with citations',
    async run({ page, ws, fakeUrl, shot }) {
      assert.ok(fakeUrl, 'the fake server did not start');
      const file = path.join(ws, 'Background.md');
      const editor = await openFile(page, 'Background.md');
      await editor.locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await runCommand(page, 'Research: Ask About Note');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('What does slow-wave sleep do for memory?');
      await page.keyboard.press('Enter');
      const text = await saveUntil(page, file, (t) => /<!-- research:answer [^\n]*figures="\d+\/\d+" -->/.test(t)).catch(async (e) => {
        await shot('ui-ask-failure');
        throw e;
      });
      assert.match(
        text,
        /<!-- research:answer target="question:[a-z0-9]+" sources="Background\.md[^"]*" model="[^"]+" date="\d{4}-\d{2}-\d{2}" figures="\d+\/\d+" -->\n> \[!question\] Answer: What does slow-wave sleep do for memory\?/,
      );
      await shot('ui-ask');
    },
  },
];
