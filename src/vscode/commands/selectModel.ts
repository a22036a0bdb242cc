import * as vscode from 'vscode';
import { AssistantError, serverPresentation } from '../../core';
import { CONFIG_SECTION, Commands } from '../constants';
import type { ExtensionServices } from '../services';
import type { Command } from './command';

export interface SelectModelArgs {
  /** Choose this model without a quick pick (must exist on the server). */
  readonly model?: string;
}

/** Research: Select Model: lists the server's chat models and stores the choice in `researchAssistant.model`. */
export class SelectModelCommand implements Command {
  readonly id = Commands.selectModel;

  constructor(private readonly services: ExtensionServices) {}

  async execute(args?: SelectModelArgs): Promise<string | undefined> {
    const config = this.services.config(null);
    const controller = new AbortController();
    const { server, models } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Listing models…') },
      () => this.services.llm.listModels(config, controller.signal),
    );
    let chosen: string | undefined;
    if (typeof args?.model === 'string') {
      const found = models.find((m) => m.id === args.model);
      if (!found) throw new AssistantError('ModelNotFound', `Model ${args.model} is not on the server`, { data: { model: args.model } });
      chosen = found.id;
    } else {
      const current = config.model;
      const picked = await vscode.window.showQuickPick(
        models.map((m) => ({
          label: m.id,
          description: [
            m.id === current ? vscode.l10n.t('current') : '',
            m.loaded === true ? vscode.l10n.t('loaded') : '',
            m.contextLength ? vscode.l10n.t('{0} tokens', m.contextLength) : '',
          ]
            .filter(Boolean)
            .join(' · '),
        })),
        {
          title: vscode.l10n.t('Model on {0} ({1})', serverPresentation(server.kind).displayName, server.root),
          placeHolder: vscode.l10n.t('Choose the model for summaries and answers'),
        },
      );
      chosen = picked?.label;
    }
    if (chosen === undefined) return undefined;
    // Machine-scoped setting: written to the user's settings, never the workspace's.
    await vscode.workspace.getConfiguration(CONFIG_SECTION).update('model', chosen, vscode.ConfigurationTarget.Global);
    this.services.llm.invalidate();
    this.services.logger.info(`Model set to ${chosen} on ${server.kind} at ${server.root}`);
    return chosen;
  }
}
