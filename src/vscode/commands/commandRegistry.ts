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
          // Not awaited: the command resolves at once (scripted callers and tests are not blocked
          // until the user dismisses the message); the chosen action runs when the user picks it.
          showAssistantError(error, this.logger, () => vscode.commands.executeCommand(command.id, ...args))
            .catch((e: unknown) => this.logger.error(e instanceof Error ? e : String(e)));
          return undefined;
        }
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
