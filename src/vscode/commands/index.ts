import { Commands, type CommandId } from '../constants';
import type { ExtensionServices } from '../services';
import type { Command } from './command';
import { NotYetAvailableCommand } from './notYetAvailable';
import { ShowLogCommand } from './showLog';

/**
 * Every palette command, one file each. Commands not built yet are registered as
 * NotYetAvailableCommand so the palette never shows a command that errors with "not found".
 */
export function createCommands(services: ExtensionServices): Command[] {
  const built: Command[] = [
    new ShowLogCommand(services),
  ];
  const builtIds = new Set<CommandId>(built.map((c) => c.id));
  const pending = Object.values(Commands).filter((id) => !builtIds.has(id)).map((id) => new NotYetAvailableCommand(id, services));
  return [...built, ...pending];
}
