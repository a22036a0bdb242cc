import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands, CONFIG_SECTION, EXTENSION_ID } from '../../src/vscode/constants';

suite('extension in the real extension host', () => {
  test('is present and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('registers every contributed command', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = Object.values(Commands).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  test('command titles reach the host localised (no raw %keys%)', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    const contributed = (ext?.packageJSON as { contributes: { commands: { command: string; title: string; category: string }[] } })
      .contributes.commands;
    const raw = contributed.filter((c) => c.title.startsWith('%') || c.category.startsWith('%'));
    assert.deepEqual(
      raw.map((c) => c.command),
      [],
    );
    assert.equal(contributed.find((c) => c.command === Commands.showLog)?.category, 'Research');
  });

  test('Show Log runs without an error', async () => {
    await vscode.commands.executeCommand(Commands.showLog);
  });

  test('the workspace is a fresh copy of the fixture, with generated PDFs', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder must be open');
    const notes = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'notes.md'));
    assert.match(notes.getText(), /\[\[papers\/smith2021-sleep\.pdf\]\]/);
    const pdf = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'papers/smith2021-sleep.pdf'));
    assert.equal(new TextDecoder().decode(pdf.subarray(0, 5)), '%PDF-');
    // workspace search goes through the ripgrep binary the harness installs with code-server; only the fixture's
    // papers folder (tests that run earlier, batch reading for one, copy PDFs into folders of their own)
    const found = await vscode.workspace.findFiles('papers/*.pdf');
    assert.deepEqual(found.map((u) => u.path.split('/').pop()).sort(), ['lee2022-nap.pdf', 'smith2021-sleep.pdf']);
  });

  test("settings can be written to the run's user settings (what feature tests rely on)", async () => {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    await config.update('endpoint', 'http://127.0.0.1:9/v1', vscode.ConfigurationTarget.Global);
    try {
      assert.equal(vscode.workspace.getConfiguration(CONFIG_SECTION).get('endpoint'), 'http://127.0.0.1:9/v1');
    } finally {
      await config.update('endpoint', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal(vscode.workspace.getConfiguration(CONFIG_SECTION).get('endpoint'), 'auto');
  });

  if (process.env.RA_FORCE_FAIL === '1') {
    // proves the harness reports failures: RA_FORCE_FAIL=1 node scripts/test-integration.mjs
    test('deliberately failing test (RA_FORCE_FAIL=1)', () => {
      assert.equal(1 + 1, 3);
    });
  }
});
