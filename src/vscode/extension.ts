import * as vscode from 'vscode';
import { createVsCodeLogger } from './adapters/vscodeLogger';
import { readConfig } from './adapters/vscodeConfig';
import { Commands } from './constants';
import { FeatureLoader } from './lazy';
import { LlmStatusBar } from './ui/statusBar';
import { registerPaperCodeLens } from './ui/codeLens';

declare const __VERSION__: string;

/**
 * Registers the commands, the status bar item and the CodeLens provider; no feature logic lives here. The features
 * (services, command classes, dist/features.js) are loaded on first use by FeatureLoader (lazy.ts), so activation
 * evaluates only this small bundle (PRODUCT.md §12).
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const { logger, channel } = createVsCodeLogger();
  context.subscriptions.push(channel);

  const features = new FeatureLoader({ context, logger, channel, config: readConfig });
  context.subscriptions.push(features);
  for (const id of Object.values(Commands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => features.loadFeatures().execute(id, args)));
  }
  context.subscriptions.push(new LlmStatusBar(features, () => readConfig(null)), registerPaperCodeLens(features, readConfig));

  logger.info(`Local Research Assistant ${__VERSION__} activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
