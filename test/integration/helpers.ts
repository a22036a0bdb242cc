/** Helpers shared by the integration suites (bundled into each test file by scripts/build-tests.mjs). */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CONFIG_SECTION } from '../../src/vscode/constants';
import type { RecordedRequest } from '../fakeServer';

/** The fresh copy of the fixture workspace the harness opens for each run. */
export function folder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder must be open');
  return f;
}

export const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration(CONFIG_SECTION);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function writeFile(rel: string, text: string): Promise<vscode.Uri> {
  const uri = vscode.Uri.joinPath(folder().uri, rel);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

/** Writes a note into the workspace and shows it in an editor. */
export async function openNote(rel: string, text: string): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor }> {
  const uri = await writeFile(rel, text);
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  return { doc, editor };
}

/** Polls `probe` until it returns something other than `undefined` or `false`, and returns that. */
export async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The last user message of a chat request the fake server recorded. */
export function lastUser(req: RecordedRequest): string {
  const messages = (req.body as { messages?: { role: string; content: string }[] }).messages ?? [];
  return [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}
