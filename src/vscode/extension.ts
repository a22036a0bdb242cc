import type MarkdownIt from 'markdown-it';
import * as vscode from 'vscode';
import { createVsCodeLogger } from './adapters/vscodeLogger';
import { readConfig } from './adapters/vscodeConfig';
import { Commands } from './constants';
import { FeatureLoader } from './lazy';
import { LlmStatusBar } from './ui/statusBar';
import { registerPaperCodeLens } from './ui/codeLens';

import type * as PreviewModule from './preview';

declare const __VERSION__: string;

/**
 * Registers the commands, the status bar item and the CodeLens provider; no feature logic lives here. The features
 * (services, command classes, dist/features.js) are loaded on first use by FeatureLoader (lazy.ts), so activation
 * — on opening a markdown file, for the CodeLens — evaluates only this small bundle.
 */
export function activate(context: vscode.ExtensionContext): { extendMarkdownIt: typeof extendMarkdownIt } {
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
  // The markdown extension takes its plugins from the extension's exports, which are what activate returns.
  return { extendMarkdownIt };
}

/**
 * VS Code's markdown preview asks for its markdown-it plugins here (`markdown.markdownItPlugins`, through the value
 * activate returns): callouts, footnotes and wikilinks, from their own bundle (dist/preview.js), so neither
 * activation nor the features load them.
 */
function extendMarkdownIt(md: MarkdownIt): MarkdownIt {
  // A runtime require of a computed path: esbuild leaves it alone, so the plugins stay out of extension.js.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`${__dirname}/preview.js`) as typeof PreviewModule).extendMarkdownIt(md);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
