import * as vscode from 'vscode';
import { AssistantError, type TaskOutcome } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { guarded, resolveInvocation, runTask } from '../adapters/actionRunner';
import type { Command } from './command';

/**
 * Research: Ask Library — a question answered from the passages found across the workspace's papers and notes,
 * inserted like Ask About Note, each claim citing its paper and page in the note's link syntax.
 */
export class AskLibraryCommand implements Command {
  readonly id = Commands.askLibrary;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<TaskOutcome | undefined> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<TaskOutcome | undefined> {
    const inv = await resolveInvocation(this.services, args);
    const question = (
      inv.args.question ??
      (inv.scripted
        ? ''
        : await vscode.window.showInputBox({
            prompt: vscode.l10n.t('Ask the library: your papers and notes in this workspace'),
            ignoreFocusOut: true,
          })) ??
      ''
    ).trim();
    if (!question) {
      if (inv.scripted) throw new AssistantError('NoInput', 'No question given');
      return undefined;
    }
    await this.services.library.ready();
    return runTask(this.services, inv, vscode.l10n.t('Research: Ask Library'), 'askLibrary', { question });
  }
}
