// Driving the VS Code web workbench with playwright-core: the few gestures the UI tests need.
// Selectors are VS Code's own DOM classes (stable across 1.9x), not text positions.
import fs from 'node:fs';
import path from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the explorer lists `file` (the workbench is then ready) and opens it in an editor. */
export async function openFile(page, file, { expectText } = {}) {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first();
  await row.waitFor({ timeout: 90_000 });
  await row.click();
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.locator('.view-lines').waitFor({ timeout: 30_000 });
  if (expectText) await editor.locator('.view-lines').filter({ hasText: expectText }).waitFor({ timeout: 30_000 });
  return editor;
}

/** F1, type the command title, wait for its row, Enter: what a user does. */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  // Enter runs the focused row, and the list may still show an earlier filtering: wait until the focused
  // row is this command (not one whose title only starts with it, e.g. "Research: Summarize Linked Paper").
  // A row's text may go on with "recently used" or a keybinding, glued to the title.
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?! \\w)`);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: exact }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/**
 * Saves (Ctrl+S) repeatedly until the file on disk satisfies `predicate`: a save may land before the last
 * streamed edit, and a streamed preview already has both markers.
 */
export async function saveUntil(page, file, predicate, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Control+S');
    await sleep(700);
    const text = fs.readFileSync(file, 'utf8');
    if (predicate(text)) return text;
    if (Date.now() > deadline) throw new Error(`${path.basename(file)} never matched; it holds:\n${text}`);
  }
}
