import * as vscode from 'vscode';
import type { AssistantConfig, PromptFile, PromptSource } from '../../core';

async function readMarkdownFiles(dir: vscode.Uri, label: (name: string) => string): Promise<PromptFile[]> {
  let entries: [string, vscode.FileType][];
  try {
    // stat first: most workspaces have no prompts folder, and readDirectory logs a warning for a missing one.
    if ((await vscode.workspace.fs.stat(dir)).type !== vscode.FileType.Directory) return [];
    entries = await vscode.workspace.fs.readDirectory(dir);
  } catch {
    return [];
  }
  const names = entries
    .filter(([n, t]) => t === vscode.FileType.File && n.endsWith('.md') && n.toLowerCase() !== 'readme.md')
    .map(([n]) => n)
    .sort();
  return Promise.all(
    names.map(async (n) => ({
      file: label(n),
      text: new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, n))),
    })),
  );
}

/** The built-in templates shipped in the extension's prompts/ folder (Open Prompt Templates copies them). */
export function builtinPromptFiles(extensionUri: vscode.Uri): Promise<PromptFile[]> {
  return readMarkdownFiles(vscode.Uri.joinPath(extensionUri, 'prompts'), (n) => `prompts/${n}`);
}

/** The user's prompts folder for a note: inside the note's workspace folder; none when untrusted. */
export function userPromptsFolder(config: AssistantConfig, resource: vscode.Uri | undefined): vscode.Uri | undefined {
  if (!vscode.workspace.isTrusted || !config.promptsFolder) return undefined;
  const folder = (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) return undefined;
  return vscode.Uri.joinPath(folder.uri, config.promptsFolder);
}

/**
 * The PromptSource port in the extension: the built-in templates in the extension's prompts/ folder, and a
 * note's override folder inside its workspace folder, read through workspace.fs. Trust is the caller's check.
 */
export class VsCodePromptSource implements PromptSource {
  private builtinFiles: Promise<readonly PromptFile[]> | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  builtins(): Promise<readonly PromptFile[]> {
    this.builtinFiles ??= readMarkdownFiles(vscode.Uri.joinPath(this.extensionUri, 'prompts'), (n) => `prompts/${n}`);
    return this.builtinFiles;
  }

  async overrides(folder: string, noteUri: string | undefined): Promise<readonly PromptFile[]> {
    if (folder.trim() === '') return [];
    const resource = noteUri === undefined ? undefined : vscode.Uri.parse(noteUri, true);
    const home = (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!home) return [];
    const dir = vscode.Uri.joinPath(home.uri, folder);
    return readMarkdownFiles(dir, (n) => vscode.workspace.asRelativePath(vscode.Uri.joinPath(dir, n)));
  }
}
