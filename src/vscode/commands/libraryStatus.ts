import * as vscode from 'vscode';
import type { FileRecord, LibraryStatus } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { guarded } from '../adapters/actionRunner';
import { vectorsText } from '../adapters/libraryHost';
import type { Command } from './command';

type Action = 'retry' | 'rebuild' | 'open';

interface StatusItem extends vscode.QuickPickItem {
  readonly action?: Action;
  readonly file?: FileRecord;
}

const n = (value: number): string => value.toLocaleString('en-US');

/** The quick pick's rows: counts, the failed files with their reasons, the skipped ones with why, then the actions. */
export function statusItems(status: LibraryStatus): StatusItem[] {
  const failed = status.files.filter((f) => f.status.state === 'failed');
  const skipped = status.files.filter((f) => f.status.state === 'skipped');
  const items: StatusItem[] = [
    {
      label: `$(library) ${vscode.l10n.t('{0} of {1} files indexed', n(status.indexed), n(status.files.length))}`,
      description: vscode.l10n.t('{0} passages', n(status.chunks)),
      detail: [
        vscode.l10n.t('{0} failed, {1} skipped, {2} waiting', status.failed, status.skipped, status.pending),
        vectorsText(status),
      ].join(' · '),
    },
  ];
  if (failed.length > 0) {
    items.push({ label: vscode.l10n.t('Failed'), kind: vscode.QuickPickItemKind.Separator });
    items.push({
      label: `$(refresh) ${vscode.l10n.t('Retry failed')}`,
      description: vscode.l10n.t('{0} files', failed.length),
      action: 'retry',
    });
    for (const f of failed)
      items.push({ label: `$(error) ${f.path}`, detail: f.status.state === 'failed' ? f.status.reason : '', action: 'open', file: f });
  }
  if (skipped.length > 0) {
    items.push({ label: vscode.l10n.t('Skipped'), kind: vscode.QuickPickItemKind.Separator });
    for (const f of skipped)
      items.push({
        label: `$(circle-slash) ${f.path}`,
        detail: f.status.state === 'skipped' ? f.status.reason : '',
        action: 'open',
        file: f,
      });
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  items.push({
    label: `$(database) ${vscode.l10n.t('Rebuild index')}`,
    description: vscode.l10n.t('read every file again'),
    action: 'rebuild',
  });
  return items;
}

/**
 * Research: Library Status — counts, the files that failed (with the reason) and were skipped (with why), "Retry
 * failed" and "Rebuild index". Scripted calls (`{ action: 'retry' | 'rebuild' }`, or `{}`) get the status back.
 */
export class LibraryStatusCommand implements Command {
  readonly id = Commands.libraryStatus;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<LibraryStatus | undefined> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<LibraryStatus | undefined> {
    const host = this.services.library;
    const library = host.require();
    const given = typeof args[0] === 'object' && args[0] !== null ? (args[0] as { action?: unknown }).action : undefined;
    if (given === 'retry') return host.rebuild({ retryFailed: true });
    if (given === 'rebuild') return host.rebuild({ clear: true });
    const status = await library.status();
    if (given !== undefined || args.length > 0) return status;
    const picked = await vscode.window.showQuickPick(statusItems(status), {
      placeHolder: vscode.l10n.t('Research library'),
      matchOnDetail: true,
    });
    if (picked?.action === 'retry') return host.rebuild({ retryFailed: true });
    if (picked?.action === 'rebuild') return host.rebuild({ clear: true });
    if (picked?.action === 'open' && picked.file)
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.parse(picked.file.uri, true));
    return status;
  }
}
