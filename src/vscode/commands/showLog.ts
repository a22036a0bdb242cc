import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import type { Command } from './command';

/** Research: Show Log — reveals the extension's log channel. */
export class ShowLogCommand implements Command {
  readonly id = Commands.showLog;

  constructor(private readonly services: ExtensionServices) {}

  execute(): void {
    this.services.channel.show(true);
  }
}
