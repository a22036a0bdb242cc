import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, nullLogger, resolveConfig, type AssistantConfig } from '../../../src/core';
import type { ActionContext } from '../../../src/core/actions/context';
import { PromptLibrary } from '../../../src/core/prompts/promptLibrary';
import { ResultCache } from '../../../src/core/results/resultCache';
import { InMemoryKeyValueStore } from '../../../src/core/cache/extractionCache';
import type { FakeLlmSession } from '../fakes/fakeLlmSession';

const promptsDir = join(import.meta.dirname, '../../../prompts');
export const library = PromptLibrary.load(
  readdirSync(promptsDir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => ({ file: f, text: readFileSync(join(promptsDir, f), 'utf8') })),
);

export function makeContext(
  session: FakeLlmSession,
  opts: { store?: InMemoryKeyValueStore; config?: Partial<AssistantConfig>; signal?: AbortSignal; progress?: string[] } = {},
): ActionContext {
  const store = opts.store ?? new InMemoryKeyValueStore();
  return {
    session,
    prompts: library,
    config: resolveConfig({ ...DEFAULT_CONFIG, ...opts.config }),
    cache: new ResultCache(store),
    logger: nullLogger,
    progress: { report: (m) => opts.progress?.push(m) },
    signal: opts.signal ?? new AbortController().signal,
  };
}
