import * as vscode from 'vscode';
import { AssistantError } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { guarded, resolveInvocation, runTask } from '../adapters/actionRunner';
import type { Command } from './command';

/** Research: Ask About Note — a question answered from the note and its linked papers, with citations. */
export class AskAboutNoteCommand implements Command {
  readonly id = Commands.askAboutNote;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    const scope = await this.services.library.chooseScope(inv.args.scope, inv.scripted);
    if (!scope) return;
    const question = (
      inv.args.question ??
      (inv.scripted
        ? ''
        : await vscode.window.showInputBox({
            prompt: vscode.l10n.t('Ask about this note and the papers it links'),
            ignoreFocusOut: true,
          })) ??
      ''
    ).trim();
    if (!question) {
      if (inv.scripted) throw new AssistantError('NoInput', 'No question given');
      return;
    }
    await runTask(this.services, inv, vscode.l10n.t('Research: Ask About Note'), 'ask', { question, scope });
  }
}
