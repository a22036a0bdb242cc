import * as vscode from 'vscode';
import { AssistantError, RUN_PROMPT_VARIABLES, missingVariables } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { guarded, resolveInvocation, runTask } from '../adapters/actionRunner';
import type { Command } from './command';

/** Research: Run Prompt… — any markdown template (built-in or from the prompts folder) on the note or selection. */
export class RunPromptCommand implements Command {
  readonly id = Commands.runPrompt;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    const library = await this.services.assistant.prompts(inv.document.uri.toString());
    // Templates Run Prompt… can fill: markdown output, only variables it knows ('notes' is internal to map-reduce).
    const runnable = library
      .list()
      .filter((t) => t.output === 'markdown' && t.id !== 'notes' && missingVariables(t, [...RUN_PROMPT_VARIABLES]).length === 0);
    let id = inv.args.promptId;
    if (!id && !inv.scripted) {
      const picked = await vscode.window.showQuickPick(
        runnable.map((t) => ({
          label: t.title,
          description: t.origin === 'user' ? vscode.l10n.t('(workspace)') : t.id,
          detail: t.description,
          id: t.id,
        })),
        { placeHolder: vscode.l10n.t('Prompt template to run') },
      );
      if (!picked) return;
      id = picked.id;
    }
    if (!id) throw new AssistantError('NoInput', 'No prompt template given');
    const template = library.get(id);
    let question = inv.args.question;
    if (template.variables.includes('question') && question === undefined) {
      if (inv.scripted) return;
      question = await vscode.window.showInputBox({ prompt: vscode.l10n.t('Question'), ignoreFocusOut: true });
      if (question === undefined) return;
    }
    await runTask(this.services, inv, template.title, 'runPrompt', {
      promptId: id,
      ...(question !== undefined ? { question } : {}),
      ...(inv.args.term !== undefined ? { term: inv.args.term } : {}),
    });
  }
}
