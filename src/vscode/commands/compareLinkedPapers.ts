import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { guarded, resolveInvocation, runTask } from '../adapters/actionRunner';
import type { Command } from './command';

/** Columns from a multi-select quick pick: the configured defaults, plus whatever the user types. */
async function pickColumns(defaults: readonly string[]): Promise<string[] | undefined> {
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem>();
  qp.canSelectMany = true;
  qp.title = vscode.l10n.t('Comparison columns');
  qp.placeholder = vscode.l10n.t('Pick columns; type a name and press Enter to add one');
  let items: vscode.QuickPickItem[] = defaults.map((label) => ({ label }));
  qp.items = items;
  qp.selectedItems = items;
  return new Promise((resolve) => {
    let accepted = false;
    qp.onDidAccept(() => {
      const typed = qp.value.trim();
      if (typed && !items.some((i) => i.label === typed)) {
        // Enter with text adds a column instead of closing the picker.
        const added = { label: typed };
        const selected = [...qp.selectedItems, added];
        items = [...items, added];
        qp.items = items;
        qp.selectedItems = selected;
        qp.value = '';
        return;
      }
      accepted = true;
      resolve(qp.selectedItems.map((i) => i.label));
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!accepted) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

/** Research: Compare Linked Papers — a table rendered by code, one row per paper, cells traceable to quotes. */
export class CompareLinkedPapersCommand implements Command {
  readonly id = Commands.compareLinkedPapers;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    const columns = inv.args.columns ?? (inv.scripted ? inv.config.compareColumns : await pickColumns(inv.config.compareColumns));
    if (!columns || columns.length === 0) return;
    await runTask(this.services, inv, vscode.l10n.t('Research: Compare Linked Papers'), 'compare', { columns });
  }
}
