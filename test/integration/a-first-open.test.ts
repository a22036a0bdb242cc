/**
 * A note opened in a fresh window, before any command: the "Summarize · Compare" lenses must appear. This file's
 * name sorts it before every other suite (they run in one extension host, in file-name order), so nothing has
 * activated the extension yet when it runs.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands, EXTENSION_ID } from '../../src/vscode/constants';
import { openNote, sleep } from './helpers';

suite('first open: CodeLens without any command', () => {
  test('opening a note with paper links activates the extension and shows Summarize · Compare above them', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    assert.equal(ext.isActive, false, 'nothing has activated the extension before this suite');
    const { doc } = await openNote('first-open.md', '# Reading\n\nPlain text.\n\n- Sleep study: [[papers/smith2021-sleep.pdf]]\n');
    const end = Date.now() + 20_000;
    let ours: vscode.CodeLens[] = [];
    while (Date.now() < end) {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      ours = lenses.filter(
        (l) => l.command?.command === Commands.summarizeLinkedPaper || l.command?.command === Commands.compareLinkedPapers,
      );
      if (ours.length > 0) break;
      await sleep(100);
    }
    assert.deepEqual(
      ours.map((l) => [l.range.start.line, l.command?.title]),
      [
        [4, 'Summarize'],
        [4, 'Compare'],
      ],
    );
    assert.equal(ext.isActive, true);
  });
});
