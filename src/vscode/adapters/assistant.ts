import * as vscode from 'vscode';
import { createAssistant, type Assistant, type AssistantConfig, type Logger, type SourceReader } from '../../core';
import { toNoteDocument } from './noteDocument';
import type { LlmConnection } from './llmConnection';
import { loadEngine } from './pdfEngine';
import { VsCodePromptSource } from './promptFiles';
import { VsCodeFileStore } from './vscodeCache';
import { VsCodeFileReader, VsCodeWorkspaceIndex } from './vscodeFiles';
import { NodeLibraryStore } from '../../node/libraryStore';
import { nodeContentHash, nodeTextHash } from '../../node/hash';

export interface VsCodeAssistant {
  readonly assistant: Assistant;
  readonly disposable: vscode.Disposable;
}

/** The assistant over the VS Code ports: workspace files, global storage, the lazily loaded PDF engine, trust, the server connection. */
export function createVsCodeAssistant(
  context: vscode.ExtensionContext,
  logger: Logger,
  config: (resource: vscode.Uri | null) => AssistantConfig,
  llm: LlmConnection,
): VsCodeAssistant {
  const index = new VsCodeWorkspaceIndex();
  const reader = new VsCodeFileReader();
  const assistant = createAssistant({
    ports: {
      files: {
        readBytes: (uri, signal) => reader.readBytes(uri, signal),
        readText: (uri, signal) => reader.readText(uri, signal),
        stat: (uri, signal) => reader.stat(uri, signal),
        folders: () => index.folders(),
        files: (signal, options) => index.files(signal, options),
        excluded: () => index.excluded(),
      },
      store: { open: (area) => new VsCodeFileStore(context.globalStorageUri, area.name, area.maxBytes, logger) },
      // The library index belongs to the workspace (its storage folder), so it survives a restart; with no folder
      // open there is no library to keep, and the index lives in memory.
      ...(context.storageUri ? { libraryStore: new NodeLibraryStore(vscode.Uri.joinPath(context.storageUri, 'library').fsPath) } : {}),
      prompts: new VsCodePromptSource(context.extensionUri),
      // The extension host is Node: node:crypto hashes linked PDFs and prompts without copying them first.
      hash: nodeContentHash,
      hashText: nodeTextHash,
      // The engine bundle loads on the first PDF or bibliography read, keeping activation small.
      pdf: {
        extract: async (bytes, options) => (await loadEngine(context)).pdf.extract(bytes, options),
        // Opening a note whose papers are not extracted yet starts the engine's workers on some of them.
        prewarm: async (samples) => (await loadEngine(context)).pdf.prewarm?.(samples),
      },
      bibtex: { parse: async (text) => (await loadEngine(context)).bibtex.parse(text) },
      llm: { session: (c, signal) => llm.session(c, signal) },
      // The library's embedding requests go through the core's provider, with the API key from SecretStorage.
      transport: { apiKey: () => llm.getApiKey() },
      logger,
      trust: () => vscode.workspace.isTrusted,
    },
    settings: (uri) => config(uri === undefined ? null : vscode.Uri.parse(uri, true)),
    onPromptErrors: (errors) => {
      for (const e of errors)
        void vscode.window.showWarningMessage(
          vscode.l10n.t('Prompt template {0} has an error on line {1} and is ignored: {2}', e.file, e.line, e.message),
        );
    },
  });
  const warming = warmActiveNote(assistant.sources, logger);
  return { assistant, disposable: vscode.Disposable.from(index, warming, { dispose: () => assistant.dispose() }) };
}

/**
 * Loads the already extracted papers of the markdown note in the active editor into memory when it becomes
 * active, so the first action on it does not read and hash them (a few ms per MB). Never extracts.
 */
function warmActiveNote(reader: SourceReader, logger: Logger): vscode.Disposable {
  let last = '';
  let pending: AbortController | undefined;
  const warm = (editor: vscode.TextEditor | undefined): void => {
    const document = editor?.document;
    if (!document || document.languageId !== 'markdown' || !vscode.workspace.isTrusted || !reader.warm) return;
    const key = document.uri.toString();
    if (key === last) return;
    last = key;
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    const started = performance.now();
    reader.warm(toNoteDocument(document), controller.signal).then(
      (held) => {
        if (held > 0)
          logger.debug(
            `sources: ${held} linked PDF(s) of ${vscode.workspace.asRelativePath(document.uri)} in memory in ${(performance.now() - started).toFixed(0)} ms`,
          );
      },
      (error: unknown) => logger.debug(`sources: warming ${key} stopped: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  warm(vscode.window.activeTextEditor);
  const subscription = vscode.window.onDidChangeActiveTextEditor(warm);
  return new vscode.Disposable(() => {
    pending?.abort();
    subscription.dispose();
  });
}
