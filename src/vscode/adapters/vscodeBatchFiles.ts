import * as vscode from 'vscode';
import { AssistantError, type BatchFiles } from '../../core';

/**
 * Batch reading's notes, matrix and queue over workspace.fs. A write goes to a temp file beside the target and is
 * renamed over it, so an extension host killed mid-write leaves the previous file or the new one.
 */
export class VsCodeBatchFiles implements BatchFiles {
  async readText(uri: string, signal: AbortSignal): Promise<string | undefined> {
    if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled');
    try {
      return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(uri, true)));
    } catch (error) {
      if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return undefined;
      throw error;
    }
  }

  async readBytes(uri: string, signal: AbortSignal): Promise<Uint8Array> {
    if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled');
    return vscode.workspace.fs.readFile(vscode.Uri.parse(uri, true));
  }

  async writeText(uri: string, text: string): Promise<void> {
    const target = vscode.Uri.parse(uri, true);
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '..'));
    const temp = target.with({ path: `${target.path}.${Math.random().toString(36).slice(2, 10)}.tmp` });
    try {
      await vscode.workspace.fs.writeFile(temp, new TextEncoder().encode(text));
      await vscode.workspace.fs.rename(temp, target, { overwrite: true });
    } catch (error) {
      await vscode.workspace.fs.delete(temp).then(undefined, () => undefined);
      throw error;
    }
  }
}
