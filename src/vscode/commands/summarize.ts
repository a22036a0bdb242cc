import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { guarded, resolveInvocation, runTask } from '../adapters/actionRunner';
import type { Command } from './command';

/** Research: Summarize — the selection, else the whole note (where the block goes: core/insertion/placement.ts). */
export class SummarizeCommand implements Command {
  readonly id = Commands.summarize;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    await runTask(this.services, inv, vscode.l10n.t('Research: Summarize'), 'summarize');
  }
}
