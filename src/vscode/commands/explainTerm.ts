import * as vscode from 'vscode';
import { termAt } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { guarded, resolveInvocation, runTask } from '../adapters/actionRunner';
import type { Command } from './command';

/** Research: Explain Term — a grounded explanation as a footnote at the term, or a callout after the block holding it. */
export class ExplainTermCommand implements Command {
  readonly id = Commands.explainTerm;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    let term = inv.args.term;
    if (term === undefined && !inv.scripted) {
      const found = termAt({
        text: inv.document.getText(),
        args: {},
        request: { ...(inv.selection ? { selection: inv.selection } : {}), cursor: inv.cursor },
      });
      // Nothing selected and no word at the cursor: ask for the term.
      if (!found.term) term = (await vscode.window.showInputBox({ prompt: vscode.l10n.t('Term to explain') }))?.trim();
    }
    await runTask(this.services, inv, vscode.l10n.t('Research: Explain Term'), 'explainTerm', term ? { term } : {});
  }
}
