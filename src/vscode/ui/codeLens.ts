import * as vscode from 'vscode';
import type { AssistantConfig } from '../../core';
import { onConfigChange } from '../adapters/vscodeConfig';
import type { FeatureLoader } from '../lazy';

/**
 * "Summarize · Compare" above lines that hold paper links (setting `researchAssistant.codeLens`). Registered at
 * activation, which opening a markdown file triggers, so the lenses show before any command has run. Finding the
 * links needs the note parser, which lives in the feature bundle (ui/paperLinkLenses.ts): the first request loads
 * it, after activation has returned (the status bar's server probe would load it a moment later anyway).
 */
class PaperLinkCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly features: FeatureLoader,
    private readonly config: (resource: vscode.Uri | null) => AssistantConfig,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.config(document.uri).codeLens) return [];
    return this.features.loadFeatures().codeLenses(document);
  }
}

export function registerPaperCodeLens(
  features: FeatureLoader,
  config: (resource: vscode.Uri | null) => AssistantConfig,
): vscode.Disposable {
  const provider = new PaperLinkCodeLensProvider(features, config);
  return vscode.Disposable.from(
    vscode.languages.registerCodeLensProvider({ language: 'markdown' }, provider),
    onConfigChange(() => provider.refresh()),
  );
}
