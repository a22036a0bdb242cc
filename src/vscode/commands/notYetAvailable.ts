import * as vscode from 'vscode';
import type { CommandId } from '../constants';
import type { ExtensionServices } from '../services';
import type { Command } from './command';

/** Placeholder for a contributed command whose feature has not landed yet; says so plainly. */
export class NotYetAvailableCommand implements Command {
  constructor(readonly id: CommandId, private readonly services: ExtensionServices) {}

  async execute(): Promise<void> {
    this.services.logger.warn(`${this.id} is not available in this build yet`);
    await vscode.window.showInformationMessage(vscode.l10n.t('This command is not available in this build yet.'));
  }
}
