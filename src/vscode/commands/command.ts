import type { CommandId } from '../constants';

/** One palette command. Dependencies come through the constructor; `execute` receives the optional argument object. */
export interface Command {
  readonly id: CommandId;
  execute(...args: unknown[]): unknown;
}
