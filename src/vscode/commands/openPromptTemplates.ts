import * as vscode from 'vscode';
import { AssistantError, parsePromptTemplate } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { builtinPromptFiles, userPromptsFolder } from '../adapters/promptFiles';
import { guarded, parseActionArgs } from '../adapters/actionRunner';
import type { Command } from './command';

/** Research: Open Prompt Templates — copies a built-in template into the prompts folder (once) and opens it for editing. */
export class OpenPromptTemplatesCommand implements Command {
  readonly id = Commands.openPromptTemplates;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<vscode.Uri | undefined> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<vscode.Uri | undefined> {
    const { args: a, scripted } = parseActionArgs(args);
    const resource = a.uri ?? vscode.window.activeTextEditor?.document.uri;
    const config = this.services.config(resource ?? null);
    const folder = userPromptsFolder(config, resource);
    if (!folder) throw new AssistantError('Untrusted', 'Prompt templates can be edited only in a trusted workspace folder');
    const files = await builtinPromptFiles(this.services.context.extensionUri);
    const templates = files.map((f) => ({ file: f, template: parsePromptTemplate(f.text, f.file) }));
    let id = a.promptId;
    if (!id && !scripted) {
      const picked = await vscode.window.showQuickPick(
        templates.map((t) => ({ label: t.template.title, description: t.template.id, detail: t.template.description, id: t.template.id })),
        { placeHolder: vscode.l10n.t('Copy which built-in template to {0} for editing?', vscode.workspace.asRelativePath(folder)) },
      );
      if (!picked) return undefined;
      id = picked.id;
    }
    const chosen = templates.find((t) => t.template.id === id);
    if (!chosen) throw new AssistantError('InvalidTemplate', `No built-in prompt template with id "${id ?? ''}"`);
    const target = vscode.Uri.joinPath(folder, `${chosen.template.id}.md`);
    let exists = true;
    try {
      await vscode.workspace.fs.stat(target);
    } catch {
      exists = false;
    }
    // Never overwrite the user's edits: an existing override is opened as it is.
    if (!exists) {
      await vscode.workspace.fs.createDirectory(folder);
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(chosen.file.text));
      this.services.logger.info(`Copied prompt template ${chosen.template.id} to ${target.toString()}`);
    }
    const doc = await vscode.workspace.openTextDocument(target);
    await vscode.window.showTextDocument(doc, { preview: false });
    return target;
  }
}
