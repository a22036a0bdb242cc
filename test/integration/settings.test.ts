import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startFakeServer, type FakeServer } from '../fakeServer';
import { Commands, EXTENSION_ID } from '../../src/vscode/constants';
import { config, folder, openNote, sleep } from './helpers';

/** The extension host's own log (VS Code writes its warnings about API use there), found under RA_LOGS_DIR. */
function extensionHostLogs(): string[] {
  const dir = process.env.RA_LOGS_DIR;
  assert.ok(dir, 'RA_LOGS_DIR is set by scripts/test-integration.mjs');
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /exthost\.log$/.test(path.basename(f)))
    .map((f) => path.join(dir, f));
}

const readAll = (files: readonly string[]): string => files.map((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '')).join('\n');

/**
 * Reads a setting in a way VS Code always warns about, with a key no one else uses, and waits until that warning is in
 * the log: everything logged before it (our commands' reads) has then been written too.
 */
async function flushLog(): Promise<string> {
  const marker = `[ra-log-marker-${Date.now()}]`;
  // A bracketed key is a language override, which VS Code treats as folder-specific: read without a resource, it warns.
  vscode.workspace.getConfiguration().get(marker);
  const end = Date.now() + 15_000;
  for (;;) {
    const text = readAll(extensionHostLogs());
    if (text.includes(marker)) return text;
    if (Date.now() > end) throw new Error(`the extension host log never showed the marker ${marker}`);
    await sleep(200);
  }
}

/** VS Code's warnings about reading one of our settings with the wrong (or no) resource. */
function scopeWarnings(log: string): string[] {
  return log
    .split('\n')
    .filter((l) => l.includes(`[${EXTENSION_ID}]`) && /Accessing a \w+ scoped configuration/.test(l) && l.includes("'researchAssistant."));
}

suite('settings: read with the note as resource', function () {
  this.timeout(120_000);
  let fake: FakeServer;

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    fake = await startFakeServer({ flavour: 'ollama', trainedCtx: 4096, ctx: 4096, tokensPerSecond: 4000 });
    fake.setReply('#### Background\n- Sleep supports memory (p. 1)');
  });
  suiteTeardown(async () => {
    await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
    await fake.close();
  });

  test('commands, CodeLens and the status bar read settings without a scope warning in the extension host log', async () => {
    const before = scopeWarnings(await flushLog()).length;
    // A settings change makes the status bar re-read the connection settings.
    await config().update('endpoint', fake.url, vscode.ConfigurationTarget.Global);
    const { doc } = await openNote('settings-scope.md', '# Scope\n\nSleep and memory, see [[papers/smith2021-sleep.pdf]].\n');
    await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri);
    await vscode.commands.executeCommand(Commands.previewContext, { uri: doc.uri, pick: false });
    await vscode.commands.executeCommand(Commands.testConnection, { quiet: true });
    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri });
    assert.match(doc.getText(), /<!-- research:summary /, 'the command ran to the end');
    const warnings = scopeWarnings(await flushLog()).slice(before);
    assert.equal(warnings.length, 0, `VS Code warned about how settings were read:\n${warnings.slice(0, 5).join('\n')}`);
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder().uri, 'settings-scope.md'));
  });
});
