import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import type { Command } from './command';

export interface SetApiKeyArgs {
  /** The key to store; an empty string deletes it. Omitted: ask with a password box. */
  readonly key?: string;
}

/**
 * Research: Set API Key: stores an optional bearer key in SecretStorage (never in settings or the log).
 * Only servers started with a key (vLLM --api-key, llama-server --api-key, LM Studio with authentication) need one.
 */
export class SetApiKeyCommand implements Command {
  readonly id = Commands.setApiKey;

  constructor(private readonly services: ExtensionServices) {}

  async execute(args?: SetApiKeyArgs): Promise<{ readonly stored: boolean } | undefined> {
    const key =
      typeof args?.key === 'string'
        ? args.key
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('API key for the model server'),
            prompt: vscode.l10n.t("Stored in VS Code's secret storage. Leave empty to remove the stored key."),
            password: true,
            ignoreFocusOut: true,
          });
    if (key === undefined) return undefined;
    await this.services.llm.setApiKey(key.trim());
    this.services.logger.info(key.trim() === '' ? 'API key removed' : 'API key stored in secret storage');
    this.services.llm.refresh(this.services.config(null));
    if (typeof args?.key !== 'string') {
      void vscode.window.showInformationMessage(key.trim() === '' ? vscode.l10n.t('API key removed.') : vscode.l10n.t('API key saved.'));
    }
    return { stored: key.trim() !== '' };
  }
}
