import type * as vscode from 'vscode';
import { createVsCodeLogger } from './adapters/vscodeLogger';
import { onConfigChange, readConfig } from './adapters/vscodeConfig';
import { LlmConnection } from './adapters/llmConnection';
import { LlmStatusBar } from './ui/statusBar';
import { createVsCodeSources } from './adapters/sources';
import { GroundingDiagnostics } from './adapters/groundingDiagnostics';
import { CommandRegistry } from './commands/commandRegistry';
import { createCommands } from './commands';
import { registerPaperCodeLens } from './ui/codeLens';
import type { ExtensionServices } from './services';

declare const __VERSION__: string;

/** Composes the services and registers the commands; no feature logic lives here. */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const { logger, channel } = createVsCodeLogger();
  context.subscriptions.push(channel);

  const llm = new LlmConnection(context.secrets, logger);
  context.subscriptions.push(llm, new LlmStatusBar(llm, () => readConfig()), onConfigChange(() => llm.invalidate()));
  const sources = createVsCodeSources(context, logger, readConfig);
  context.subscriptions.push(sources.disposable);
  const grounding = new GroundingDiagnostics({ logger, sources: sources.reader });
  context.subscriptions.push(grounding);
  const services: ExtensionServices = { context, logger, channel, config: readConfig, llm, sources: sources.reader, sourceCache: sources.cache, grounding };
  const registry = new CommandRegistry(logger);
  context.subscriptions.push(registry);
  for (const command of createCommands(services)) registry.register(command);
  context.subscriptions.push(registerPaperCodeLens(services));

  logger.info(`Local Research Assistant ${__VERSION__} activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
