import * as vscode from 'vscode';
import type { AssistantConfig, ServerInfo, ServerPresentation } from '../../core';
import type { LlmConnection, LlmStatus } from '../adapters/llmConnection';
import { onConfigChange } from '../adapters/vscodeConfig';
import { Commands } from '../constants';
import type { FeatureLoader } from '../lazy';
import { LOW_CONTEXT_TOKENS, raiseContextHint } from './serverLabels';

/** Internal command (not in the palette) so integration tests can read what the status bar shows. */
export const STATUS_BAR_STATE_COMMAND = 'researchAssistant.internal.statusBarState';

export interface StatusBarState {
  readonly text: string;
  readonly tooltip: string;
  readonly warning: boolean;
}

/** Pure presentation of a connection status (unit of the integration test). */
export function describeStatus(status: LlmStatus): StatusBarState {
  switch (status.state) {
    case 'unknown':
      return {
        text: '$(hubot) Research',
        tooltip: vscode.l10n.t('Model server not checked yet. Click to test the connection.'),
        warning: false,
      };
    case 'connecting':
      return { text: '$(sync~spin) Research', tooltip: vscode.l10n.t('Looking for the model server…'), warning: false };
    case 'error': {
      const probed = status.error.data.probed ?? status.error.data.endpoint;
      return {
        text: '$(warning) Research: no model server',
        tooltip: vscode.l10n.t(
          'Model server unavailable ({0}): {1}. Click to test the connection.',
          status.error.code,
          String(probed ?? status.error.message),
        ),
        warning: true,
      };
    }
    case 'connected':
      return describeInfo(status.info, status.server, status.notes);
  }
}

function describeInfo(info: ServerInfo, server: ServerPresentation, notes: readonly string[]): StatusBarState {
  const low = info.contextLength < LOW_CONTEXT_TOKENS;
  const lines = [
    vscode.l10n.t('{0} {1} at {2}', server.displayName, info.version ?? '', info.baseUrl),
    vscode.l10n.t('Model: {0}', info.model),
    vscode.l10n.t('Usable context: {0} tokens ({1})', info.contextLength, info.contextSource),
  ];
  if (low)
    lines.push(
      vscode.l10n.t('The usable context is below {0} tokens, so long notes are split into many parts.', LOW_CONTEXT_TOKENS),
      raiseContextHint(server),
    );
  lines.push(...notes);
  return { text: `${low ? '$(warning)' : '$(hubot)'} ${server.displayName} · ${info.model}`, tooltip: lines.join('\n'), warning: low };
}

/**
 * Kind + model; warning background when unreachable or the usable context is below 16k. Click: Test Connection.
 * Created at activation showing "not checked yet"; follows the connection once the features are loaded.
 */
export class LlmStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('researchAssistant.server', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private state: StatusBarState = describeStatus({ state: 'unknown' });

  constructor(features: FeatureLoader, config: () => AssistantConfig) {
    this.item.name = vscode.l10n.t('Research model server');
    this.item.command = Commands.testConnection;
    this.render({ state: 'unknown' });
    this.item.show();
    const loaded = features.loaded;
    if (loaded) this.follow(loaded.services.llm);
    this.disposables.push(
      features.onDidLoad((f) => this.follow(f.services.llm)),
      onConfigChange(() => features.loadFeatures().services.llm.refresh(config())),
      vscode.commands.registerCommand(STATUS_BAR_STATE_COMMAND, () => this.state),
    );
    // Probe after activation, not during it (activation stays fast; this loads the features); only the
    // configured/local endpoint is contacted.
    const timer = setTimeout(() => features.loadFeatures().services.llm.refresh(config()), 1500);
    this.disposables.push({ dispose: () => clearTimeout(timer) });
  }

  private follow(connection: LlmConnection): void {
    this.render(connection.status);
    this.disposables.push(connection.onDidChangeStatus((s) => this.render(s)));
  }

  private render(status: LlmStatus): void {
    this.state = describeStatus(status);
    this.item.text = this.state.text;
    this.item.tooltip = this.state.tooltip;
    this.item.backgroundColor = this.state.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.item.dispose();
  }
}
