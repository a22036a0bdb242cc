import * as vscode from 'vscode';
// The core's activation entry, not '../../core': this file is part of the activation bundle (see vscodeLogger.ts).
import { resolveConfig, SETTING_KEYS, type AssistantConfig } from '../../core/activation';
import { CONFIG_SECTION } from '../constants';

/**
 * Settings that may differ per workspace folder (`"scope": "resource"` in package.json). They are read with the note's
 * URI, so in a multi-root workspace the note's own folder decides; every other setting is window-wide (or machine-wide)
 * and is read without a resource, since VS Code warns about either mismatch on every read.
 */
const RESOURCE_SCOPED: ReadonlySet<keyof AssistantConfig> = new Set(['promptsFolder', 'bibliography', 'batchNotesFolder']);

/**
 * The only place that reads `researchAssistant.*`. Returns an immutable snapshot per call (per command invocation).
 * `resource` is the note the snapshot is for; `null` when no note is involved (connection settings, the status bar),
 * which reads folder-specific settings at workspace level.
 */
export function readConfig(resource: vscode.Uri | null): AssistantConfig {
  const windowSection = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const resourceSection = vscode.workspace.getConfiguration(CONFIG_SECTION, resource);
  const partial: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTING_KEYS) as [keyof AssistantConfig, string][]) {
    partial[key] = (RESOURCE_SCOPED.has(key) ? resourceSection : windowSection).get(setting);
  }
  // Security: a workspace must not redirect the endpoint or allow remote hosts.
  // `scope: machine/application` in the manifest already ignores workspace values; read user values explicitly too.
  const allowRemote = windowSection.inspect<boolean>(SETTING_KEYS.allowRemoteEndpoint);
  partial.allowRemoteEndpoint = allowRemote?.globalValue ?? false;
  const allowOutside = windowSection.inspect<boolean>(SETTING_KEYS.allowFilesOutsideWorkspace);
  partial.allowFilesOutsideWorkspace = allowOutside?.globalValue ?? false;
  if (!vscode.workspace.isTrusted) {
    // Untrusted workspaces: no workspace-provided prompts or bibliography (they could point anywhere on disk).
    partial.promptsFolder = '';
    partial.bibliography = resourceSection.inspect<string>(SETTING_KEYS.bibliography)?.globalValue ?? '';
  }
  return resolveConfig(partial as Partial<AssistantConfig>);
}

/** Fires `listener` when any `researchAssistant.*` setting changes. */
export function onConfigChange(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(CONFIG_SECTION)) listener();
  });
}
