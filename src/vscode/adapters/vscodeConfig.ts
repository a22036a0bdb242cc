import * as vscode from 'vscode';
// A direct path, not '../../core': this file is part of the activation bundle (see vscodeLogger.ts).
import { resolveConfig, SETTING_KEYS, type AssistantConfig } from '../../core/config';
import { CONFIG_SECTION } from '../constants';

/**
 * The only place that reads `researchAssistant.*`. Returns an immutable snapshot per call
 * (per command invocation), scoped to the note's folder when a resource is given.
 */
export function readConfig(resource?: vscode.Uri): AssistantConfig {
  const section = vscode.workspace.getConfiguration(CONFIG_SECTION, resource);
  const partial: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTING_KEYS)) {
    partial[key] = section.get(setting);
  }
  // Security: a workspace must not redirect the endpoint or allow remote hosts (PRODUCT.md §1, §10).
  // `scope: machine/application` in the manifest already ignores workspace values; read user values explicitly too.
  const allowRemote = section.inspect<boolean>(SETTING_KEYS.allowRemoteEndpoint);
  partial.allowRemoteEndpoint = allowRemote?.globalValue ?? false;
  const allowOutside = section.inspect<boolean>(SETTING_KEYS.allowFilesOutsideWorkspace);
  partial.allowFilesOutsideWorkspace = allowOutside?.globalValue ?? false;
  if (!vscode.workspace.isTrusted) {
    // Untrusted workspaces: no workspace-provided prompts or bibliography (PRODUCT.md §11).
    partial.promptsFolder = '';
    partial.bibliography = section.inspect<string>(SETTING_KEYS.bibliography)?.globalValue ?? '';
  }
  return resolveConfig(partial as Partial<AssistantConfig>);
}

/** Fires `listener` when any `researchAssistant.*` setting changes. */
export function onConfigChange(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(CONFIG_SECTION)) listener();
  });
}
