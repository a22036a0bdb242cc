import type * as vscode from 'vscode';
import { LlmConnection } from './adapters/llmConnection';
import { createVsCodeAssistant } from './adapters/assistant';
import { GroundingDiagnostics } from './adapters/groundingDiagnostics';
import { LibraryHost } from './adapters/libraryHost';
import { onConfigChange } from './adapters/vscodeConfig';
import { CommandRegistry } from './commands/commandRegistry';
import { createCommands } from './commands';
import type { CommandId } from './constants';
import type { ExtensionServices } from './services';
import { registerLastErrorCommand } from './ui/errors';
import { ReadOnlyDocuments } from './ui/readOnlyDocuments';
import { paperLinkLenses } from './ui/paperLinkLenses';

/**
 * Entry of the second bundle, dist/features.js: the model server client (openai), the source readers (markdown-it),
 * grounding and every command. Activation does not evaluate it (activation has a 50 ms budget); lazy.ts
 * requires it on first use and calls createFeatures once.
 */

/** The part of ExtensionServices that activation builds (cheap, no feature code). */
export type ActivationServices = Pick<ExtensionServices, 'context' | 'logger' | 'channel' | 'config'>;

export interface Features extends vscode.Disposable {
  readonly services: ExtensionServices;
  /** Runs a palette command; a rejection is logged and shown, cancellation is silent. */
  execute(id: CommandId, args: unknown[]): Promise<unknown>;
  /** The paper-link lenses of a markdown note (the CodeLens provider registered at activation asks here). */
  codeLenses(document: vscode.TextDocument): vscode.CodeLens[];
}

/** Composes the services and the commands; no feature logic lives here. */
export function createFeatures(base: ActivationServices): Features {
  const { context, logger, config } = base;
  const llm = new LlmConnection(context.secrets, logger);
  const { assistant, disposable } = createVsCodeAssistant(context, logger, config, llm);
  const grounding = new GroundingDiagnostics({ logger, assistant });
  const readOnly = new ReadOnlyDocuments();
  const library = new LibraryHost(context, () => assistant.library, logger);
  const services: ExtensionServices = { ...base, llm, assistant, grounding, readOnly, library };
  const commands = new CommandRegistry(logger, createCommands(services));
  const disposables: vscode.Disposable[] = [
    llm,
    onConfigChange(() => llm.invalidate()),
    library,
    disposable,
    grounding,
    readOnly,
    registerLastErrorCommand(),
  ];
  return {
    services,
    execute: (id, args) => commands.execute(id, args),
    codeLenses: (document) => paperLinkLenses(services, document),
    dispose: () => {
      for (const d of disposables.splice(0)) d.dispose();
    },
  };
}
