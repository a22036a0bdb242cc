import * as vscode from 'vscode';
import { DefaultSourceReader, ExtractionCache, type AssistantConfig, type Logger, type SourceReader } from '../../core';
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
export function createVsCodeSources(context: vscode.ExtensionContext, logger: Logger, config: (resource?: vscode.Uri) => AssistantConfig): VsCodeSources {
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
    logger,
  });
  return { reader, cache, store, disposable: index };
}
