import * as vscode from 'vscode';
import { DefaultSourceReader, ExtractionCache, type AssistantConfig, type Logger, type SourceReader } from '../../core';
import { toNoteDocument } from './actionRunner';
import { loadEngine } from './pdfEngine';
import { VsCodeFileStore } from './vscodeCache';
import { VsCodeFileReader, VsCodeWorkspaceIndex } from './vscodeFiles';

/** Extracted text of a few hundred papers; older entries are evicted first. */
const CACHE_BYTES = 256 * 1024 * 1024;

export interface VsCodeSources {
  readonly reader: SourceReader;
  readonly cache: ExtractionCache;
  readonly store: VsCodeFileStore;
  readonly disposable: vscode.Disposable;
}

/** Composes the source reader from the VS Code ports (files, workspace index, global-storage cache, trust). */
export function createVsCodeSources(
  context: vscode.ExtensionContext,
  logger: Logger,
  config: (resource: vscode.Uri | null) => AssistantConfig,
): VsCodeSources {
  const index = new VsCodeWorkspaceIndex();
  const store = new VsCodeFileStore(context.globalStorageUri, 'extraction-cache', CACHE_BYTES, logger);
  const cache = new ExtractionCache(store, logger);
  const reader = new DefaultSourceReader({
    files: new VsCodeFileReader(),
    workspace: index,
    pdf: async () => (await loadEngine(context)).pdf,
    bibtex: async () => (await loadEngine(context)).bibtex,
    config: (noteUri) => config(vscode.Uri.parse(noteUri, true)),
    isTrusted: () => vscode.workspace.isTrusted,
    cache,
    // Parsed bibliographies share the bounded store (and Clear Cache) with the extractions.
    store,
    logger,
  });
  const warming = warmActiveNote(reader, logger);
  return { reader, cache, store, disposable: vscode.Disposable.from(index, warming) };
}

/**
 * Loads the already extracted papers of the markdown note in the active editor into memory when it becomes
 * active, so the first action on it does not read and hash them (a few ms per MB). Never extracts.
 */
function warmActiveNote(reader: DefaultSourceReader, logger: Logger): vscode.Disposable {
  let last = '';
  let pending: AbortController | undefined;
  const warm = (editor: vscode.TextEditor | undefined): void => {
    const document = editor?.document;
    if (!document || document.languageId !== 'markdown' || !vscode.workspace.isTrusted) return;
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
