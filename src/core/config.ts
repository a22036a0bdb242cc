/**
 * The assistant's settings as one immutable snapshot. The VS Code adapter
 * (src/vscode/adapters/vscodeConfig.ts) is the only reader of `researchAssistant.*`;
 * everything else receives an `AssistantConfig`.
 */
export type OutputLanguage = 'auto' | 'en' | 'zh-CN' | 'bilingual';
export type OutputStyle = 'callout' | 'blockquote' | 'plain';
export type OnCancel = 'remove' | 'keep';
export type ExplainTermStyle = 'footnote' | 'callout';

export interface AssistantConfig {
  /** `auto` or a base URL (`http://host:port` or `…/v1`). */
  readonly endpoint: string;
  /** Empty: pick one from the server (a Qwen3 instruct model when there is one). */
  readonly model: string;
  readonly allowRemoteEndpoint: boolean;
  /** 0: discover the usable context from the server. */
  readonly contextLength: number;
  readonly maxOutputTokens: number;
  readonly temperature: number;
  readonly firstTokenTimeoutSeconds: number;
  readonly idleTimeoutSeconds: number;
  /** `auto`: the server's parallel slots when it reports them, else 1. */
  readonly concurrency: 'auto' | number;
  readonly outputLanguage: OutputLanguage;
  readonly outputStyle: OutputStyle;
  readonly onCancel: OnCancel;
  readonly explainTermStyle: ExplainTermStyle;
  readonly compareColumns: readonly string[];
  readonly promptsFolder: string;
  readonly bibliography: string;
  readonly readLinkedNotes: boolean;
  readonly allowFilesOutsideWorkspace: boolean;
  readonly codeLens: boolean;
  /** Library: globs (relative to a workspace folder) of the files it holds; empty = every paper and note. */
  readonly libraryInclude: readonly string[];
  /** Library: globs of files it leaves out (besides .gitignore and files.exclude). */
  readonly libraryExclude: readonly string[];
}

export const DEFAULT_CONFIG: AssistantConfig = Object.freeze({
  endpoint: 'auto',
  model: '',
  allowRemoteEndpoint: false,
  contextLength: 0,
  maxOutputTokens: 1024,
  temperature: 0.3,
  firstTokenTimeoutSeconds: 300,
  idleTimeoutSeconds: 60,
  concurrency: 'auto',
  outputLanguage: 'auto',
  outputStyle: 'callout',
  onCancel: 'remove',
  explainTermStyle: 'footnote',
  compareColumns: Object.freeze(['Aim', 'Method', 'Data', 'Sample size', 'Key result', 'Limitations']),
  promptsFolder: '.research/prompts',
  bibliography: '',
  readLinkedNotes: true,
  allowFilesOutsideWorkspace: false,
  codeLens: true,
  libraryInclude: Object.freeze([]),
  libraryExclude: Object.freeze([]),
});

/**
 * Keys of `AssistantConfig` mapped to their setting names under `researchAssistant.`.
 * The manifest test checks this against package.json, so a setting cannot be added to one side only.
 */
export const SETTING_KEYS: { readonly [K in keyof AssistantConfig]: string } = {
  endpoint: 'endpoint',
  model: 'model',
  allowRemoteEndpoint: 'allowRemoteEndpoint',
  contextLength: 'contextLength',
  maxOutputTokens: 'maxOutputTokens',
  temperature: 'temperature',
  firstTokenTimeoutSeconds: 'firstTokenTimeoutSeconds',
  idleTimeoutSeconds: 'idleTimeoutSeconds',
  concurrency: 'concurrency',
  outputLanguage: 'outputLanguage',
  outputStyle: 'outputStyle',
  onCancel: 'onCancel',
  explainTermStyle: 'explainTermStyle',
  compareColumns: 'compare.columns',
  promptsFolder: 'promptsFolder',
  bibliography: 'bibliography',
  readLinkedNotes: 'readLinkedNotes',
  allowFilesOutsideWorkspace: 'allowFilesOutsideWorkspace',
  codeLens: 'codeLens',
  libraryInclude: 'library.include',
  libraryExclude: 'library.exclude',
};

/** Fills a partial snapshot with defaults and clamps values a hand-edited settings.json could break. */
export function resolveConfig(partial: Partial<AssistantConfig>): AssistantConfig {
  const merged = { ...DEFAULT_CONFIG, ...stripUndefined(partial) };
  const concurrency =
    merged.concurrency === 'auto' || (Number.isInteger(merged.concurrency) && merged.concurrency >= 1) ? merged.concurrency : 'auto';
  return Object.freeze({
    ...merged,
    concurrency,
    maxOutputTokens: clampInt(merged.maxOutputTokens, 64, 32768, DEFAULT_CONFIG.maxOutputTokens),
    contextLength: clampInt(merged.contextLength, 0, 10_000_000, 0),
    firstTokenTimeoutSeconds: clampInt(merged.firstTokenTimeoutSeconds, 5, 86_400, DEFAULT_CONFIG.firstTokenTimeoutSeconds),
    idleTimeoutSeconds: clampInt(merged.idleTimeoutSeconds, 5, 86_400, DEFAULT_CONFIG.idleTimeoutSeconds),
    compareColumns: Object.freeze([...merged.compareColumns]),
    libraryInclude: Object.freeze([...merged.libraryInclude]),
    libraryExclude: Object.freeze([...merged.libraryExclude]),
  });
}

function clampInt(value: number, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}

function stripUndefined<T extends object>(value: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
