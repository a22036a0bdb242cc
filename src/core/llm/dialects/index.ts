import type { ServerKind } from '../types';
import type { ServerDialect } from './dialect';
import { llamacpp } from './llamacpp';
import { lmstudio } from './lmstudio';
import { ollama } from './ollama';
import { openAiCompatible } from './openAiCompatible';
import { vllm } from './vllm';

export type { ServerDialect } from './dialect';

const BY_KIND: Readonly<Record<ServerKind, ServerDialect>> = {
  ollama,
  lmstudio,
  vllm,
  llamacpp,
  'openai-compatible': openAiCompatible,
};

/** The dialect that speaks to a detected server. */
export function dialectFor(kind: ServerKind): ServerDialect {
  return BY_KIND[kind];
}

/**
 * Order of the fingerprint probes: cheapest and most distinctive first. Ollama's `/api/version` comes first and also
 * tells whether anything answers at all; LM Studio reads the same answer before asking further.
 */
export const PROBE_ORDER: readonly ServerDialect[] = [ollama, lmstudio, llamacpp, vllm];

/**
 * Order of the fallback recognition from `/v1/models` alone: fields only one server writes (`max_model_len`,
 * `meta`) before owner strings, the generic server last.
 */
export const LISTING_ORDER: readonly ServerDialect[] = [vllm, llamacpp, lmstudio, openAiCompatible];

/** What hosts show about a server: its name and how to raise its usable context (English; hosts translate). */
export type ServerPresentation = Pick<ServerDialect, 'displayName' | 'contextAdvice'>;

export function serverPresentation(kind: ServerKind): ServerPresentation {
  return dialectFor(kind);
}
