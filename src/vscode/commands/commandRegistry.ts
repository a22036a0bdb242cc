import * as vscode from 'vscode';
import type { Logger } from '../../core';
import type { CommandId } from '../constants';
import type { Command } from './command';
import { showAssistantError } from '../ui/errors';

/**
 * The palette commands by id (feature bundle; extension.ts registers the ids with VS Code at activation and calls
 * `execute`). Every call is wrapped so a rejection is logged and shown (never a floating promise); cancellation is
 * silent.
 */
export class CommandRegistry {
  private readonly commands = new Map<CommandId, Command>();

  constructor(
    private readonly logger: Logger,
    commands: readonly Command[],
  ) {
    for (const command of commands) this.commands.set(command.id, command);
  }

  async execute(id: CommandId, args: unknown[]): Promise<unknown> {
    const command = this.commands.get(id);
    if (!command) throw new Error(`${id} has no implementation`);
    try {
      return await command.execute(...args);
    } catch (error) {
      // Not awaited: the command resolves at once (scripted callers and tests are not blocked
      // until the user dismisses the message); the chosen action runs when the user picks it.
      showAssistantError(error, this.logger, () => vscode.commands.executeCommand(id, ...args)).catch((e: unknown) =>
        this.logger.error(e instanceof Error ? e : String(e)),
      );
      return undefined;
    }
  }
}
