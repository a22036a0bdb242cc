/**
 * The command line's assistant: the core's façade on the Node host (files, a cache folder, the PDF engine in
 * worker threads, the prompt folders), with settings from the files, the environment and the flags.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import {
  createAssistant,
  createLlmProvider,
  rememberingProvider,
  type Assistant,
  type AssistantConfig,
  type Logger,
  type RememberingProvider,
  type StoreProvider,
} from '../core';
import { loadSettings, type LoadedSettings } from '../node/settings';
import { cacheFolder } from './cacheFolder';
import { NodeEngine, NodeFileStore, NodeLibraryStore, NodePromptSource, NodeWorkspace, nodeContentHash, nodeTextHash } from '../node';
import type { CliRequest } from './program';
import type { Terminal } from './terminal';

export { cacheFolder };

/**
 * Where a workspace's library index is kept: `library/<folder name>-<hash of its path>` in the cache folder, so
 * that every workspace has its own index and the name still says whose it is.
 */
export function libraryFolder(cacheDir: string, workspace: string): string {
  const hash = createHash('sha256').update(workspace).digest('hex').slice(0, 16);
  const name =
    basename(workspace)
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 40) || 'root';
  return join(cacheDir, 'library', `${name}-${hash}`);
}

export interface CliAssistant {
  readonly assistant: Assistant;
  readonly settings: LoadedSettings;
  readonly config: AssistantConfig;
  /** The core's log (stderr with --verbose). */
  readonly logger: Logger;
  /** The model server; `fresh` always asks it (status). */
  readonly llm: RememberingProvider;
}

/** The remembered server identities: a few hundred bytes per endpoint and model setting. */
const SESSIONS_AREA = { name: 'sessions', maxBytes: 1024 * 1024 } as const;

/** Logs to stderr only with --verbose: the core's log is for diagnosing, the result and warnings say the rest. */
export function stderrLogger(terminal: Terminal, verbose: boolean): Logger {
  const log =
    (level: string) =>
    (message: string | Error, ...args: unknown[]): void => {
      if (!verbose) return;
      const text = message instanceof Error ? (message.stack ?? message.message) : message;
      terminal.info(
        `[${performance.now().toFixed(0).padStart(5)} ms ${level}] ${[text, ...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))].join(' ')}`,
      );
    };
  return { trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export async function createCliAssistant(
  request: CliRequest,
  env: Readonly<Record<string, string | undefined>>,
  terminal: Terminal,
): Promise<CliAssistant> {
  const settings = await loadSettings({ workspace: request.workspace, env, flags: request.flags });
  for (const notice of settings.notices) terminal.warn(notice);
  const config = settings.config;
  const logger = stderrLogger(terminal, request.verbose);
  const cacheDir = cacheFolder(env);
  const store: StoreProvider = {
    open: (area) => new NodeFileStore(join(cacheDir, area.name), { maxBytes: area.maxBytes, logger }),
  };
  const engine = new NodeEngine();
  const apiKey = env.RESEARCH_ASSISTANT_API_KEY;
  const transport = { apiKey: () => Promise.resolve(apiKey === '' ? undefined : apiKey) };
  // Each command is a new process: the server's identity is remembered for a few minutes, so a command answered
  // from the cache contacts no server.
  const llm = rememberingProvider(createLlmProvider(transport, logger), store.open(SESSIONS_AREA));
  const assistant = createAssistant({
    ports: {
      files: new NodeWorkspace(request.workspace),
      store,
      prompts: new NodePromptSource(undefined, [request.workspace]),
      pdf: engine,
      bibtex: engine,
      transport,
      llm,
      logger,
      // The user named this folder on the command line: it is trusted as an editor's opened folder would be.
      trust: () => true,
      libraryStore: new NodeLibraryStore(libraryFolder(cacheDir, request.workspace)),
      hash: nodeContentHash,
      hashText: nodeTextHash,
    },
    settings: () => config,
    onPromptErrors: (errors) => {
      for (const e of errors) terminal.warn(`prompt template ignored: ${e.message}`);
    },
  });
  return { assistant, settings, config, logger, llm };
}
