import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import type { Command } from './command';

/** Research: Clear Cache — removes the extracted-text cache and the result cache from global storage, and the in-memory grounding indexes. */
export class ClearCacheCommand implements Command {
  readonly id = Commands.clearCache;

  constructor(private readonly services: ExtensionServices) {}

  async execute(raw?: unknown): Promise<{ cleared: true }> {
    await this.services.assistant.clearCaches();
    this.services.logger.info('cache: extracted text and results cleared');
    const quiet = typeof raw === 'object' && raw !== null && (raw as { quiet?: unknown }).quiet === true;
    if (!quiet) void vscode.window.showInformationMessage(vscode.l10n.t('Research: cached PDF text and results cleared.'));
    return { cleared: true };
  }
}
