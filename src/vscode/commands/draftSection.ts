import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { guarded, resolveInvocation, runTask } from '../adapters/actionRunner';
import type { Command } from './command';

/** Research: Draft Section — paragraphs for the selected outline (or the heading at the cursor), from the linked papers. */
export class DraftSectionCommand implements Command {
  readonly id = Commands.draftSection;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    const scope = await this.services.library.chooseScope(inv.args.scope, inv.scripted);
    if (!scope) return;
    await runTask(this.services, inv, vscode.l10n.t('Research: Draft Section'), 'draft', scope === 'library' ? { scope } : {});
  }
}
