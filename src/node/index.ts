/**
 * The Node host: the core's ports over node:fs and worker threads, for the CLI, the bench and tests.
 * `createNodePorts` gives everything an assistant needs on Node except settings and the model transport.
 */
import { join } from 'node:path';
import { nullLogger, type ContentHasher, type Logger, type TextHasher } from '../core';
import { NodeEngine } from './engine';
import { NodeWorkspace } from './files';
import { NodePromptSource } from './prompts';
import { NodeFileStore } from './store';
import { NodeLibraryStore } from './libraryStore';
import { nodeContentHash, nodeTextHash } from './hash';

export { NodeFileReader, NodeWorkspace, NodeWorkspaceIndex, fileUri, filePath, type NodeWorkspaceOptions } from './files';
export { NodeFileStore, type NodeFileStoreOptions } from './store';
export { NodeEngine, defaultEngineFile, loadEngineModule } from './engine';
export { NodeLibraryStore } from './libraryStore';
export { nodeContentHash, nodeTextHash } from './hash';
export { NodePromptSource, defaultBuiltinPromptsDir, readPromptFolder } from './prompts';

export interface NodePortsOptions {
  /** The workspace folder(s): where links resolve and wikilinks are found by name. */
  readonly folders: string | readonly string[];
  /** Folder of the persisted caches (extracted PDFs, results). */
  readonly cacheDir: string;
  /** Largest total size of the cache folder (default 256 MB). */
  readonly cacheBytes?: number;
  /** The engine bundle (default: dist/pdfEngine.js beside the running bundle, or the sources under tsx). */
  readonly engineFile?: string;
  /** The built-in prompt templates' folder (default: the package's prompts/). */
  readonly promptsDir?: string;
  /** Most files the workspace walk lists (default 100 000). */
  readonly maxFiles?: number;
  readonly logger?: Logger;
}

export interface NodePorts {
  readonly files: NodeWorkspace;
  readonly store: NodeFileStore;
  readonly prompts: NodePromptSource;
  readonly pdf: NodeEngine;
  readonly bibtex: NodeEngine;
  readonly logger: Logger;
  /** The library index's files, in `library/` under the cache folder. */
  readonly libraryStore: NodeLibraryStore;
  readonly hash: ContentHasher;
  readonly hashText: TextHasher;
}

export function createNodePorts(options: NodePortsOptions): NodePorts {
  const folders = typeof options.folders === 'string' ? [options.folders] : options.folders;
  const logger = options.logger ?? nullLogger;
  const engine = new NodeEngine(options.engineFile);
  return {
    files: new NodeWorkspace(folders, options.maxFiles === undefined ? {} : { maxFiles: options.maxFiles }),
    store: new NodeFileStore(options.cacheDir, { logger, ...(options.cacheBytes === undefined ? {} : { maxBytes: options.cacheBytes }) }),
    prompts: new NodePromptSource(options.promptsDir, folders),
    pdf: engine,
    bibtex: engine,
    logger,
    libraryStore: new NodeLibraryStore(join(options.cacheDir, 'library')),
    hash: nodeContentHash,
    hashText: nodeTextHash,
  };
}
