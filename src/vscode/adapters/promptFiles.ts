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

/** The built-in templates shipped in the extension's prompts/ folder (the assistant keeps them once read). */
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

/** Templates for the assistant: the extension's built-ins and the workspace's prompts folder; user-file errors shown (file and line). */
export function vscodePromptSource(extensionUri: vscode.Uri): PromptSource {
  return {
    builtins: () => builtinPromptFiles(extensionUri),
    user: async (config, noteUri) => {
      const folder = userPromptsFolder(config, noteUri === undefined ? undefined : vscode.Uri.parse(noteUri, true));
      return folder ? readMarkdownFiles(folder, (n) => vscode.workspace.asRelativePath(vscode.Uri.joinPath(folder, n))) : [];
    },
    reportErrors: (errors) => {
      for (const e of errors)
        void vscode.window.showWarningMessage(
          vscode.l10n.t('Prompt template {0} has an error on line {1} and is ignored: {2}', e.file, e.line, e.message),
        );
    },
  };
}
