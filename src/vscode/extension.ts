import type * as vscode from 'vscode';
import { createVsCodeLogger } from './adapters/vscodeLogger';
import { readConfig } from './adapters/vscodeConfig';
import { CommandRegistry } from './commands/commandRegistry';
import { createCommands } from './commands';
import type { ExtensionServices } from './services';

declare const __VERSION__: string;

/** Composes the services and registers the commands; no feature logic lives here. */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const { logger, channel } = createVsCodeLogger();
  context.subscriptions.push(channel);

  const services: ExtensionServices = { context, logger, channel, config: readConfig };
  const registry = new CommandRegistry(logger);
  context.subscriptions.push(registry);
  for (const command of createCommands(services)) registry.register(command);

  logger.info(`Local Research Assistant ${__VERSION__} activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
