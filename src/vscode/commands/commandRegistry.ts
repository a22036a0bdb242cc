import * as vscode from 'vscode';
import type { Logger } from '../../core';
import type { Command } from './command';
import { showAssistantError } from '../ui/errors';

/**
 * Registers commands and owns their disposables. Every handler is wrapped so a rejection is
 * logged and shown (never a floating promise); cancellation is silent.
 */
export class CommandRegistry implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly logger: Logger) {}

  register(command: Command): void {
    this.disposables.push(
      vscode.commands.registerCommand(command.id, async (...args: unknown[]) => {
        try {
          return await command.execute(...args);
        } catch (error) {
          await showAssistantError(error, this.logger, () => vscode.commands.executeCommand(command.id, ...args));
          return undefined;
        }
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
