/**
 * What every action receives: the server session, the templates, the settings snapshot, the
 * result cache, logging, progress and the cancellation signal (required: every model and I/O call must be cancellable).
 */
import type { AssistantConfig } from '../config';
import type { LlmSession } from '../llm/types';
import type { Logger } from '../ports/logger';
import type { ProgressReporter } from '../ports/progress';
import type { PromptLibrary } from '../prompts/promptLibrary';
import type { ResultCache } from '../results/resultCache';

export interface ActionContext {
  readonly session: LlmSession;
  readonly prompts: PromptLibrary;
  readonly config: AssistantConfig;
  readonly cache: ResultCache;
  readonly logger: Logger;
  readonly progress: ProgressReporter;
  readonly signal: AbortSignal;
}

/** Receives visible answer text as it arrives (a cache hit delivers the whole text at once). */
export type TextSink = (delta: string) => void;

export interface ActionResult {
  /** The final markdown body (without markers). */
  readonly text: string;
  /** The model that answered (from the server, or the cached entry). */
  readonly model: string;
  readonly fromCache: boolean;
  readonly finishReason: 'stop' | 'length';
  readonly warnings: readonly string[];
  /** Requests sent to the server for this run (0 on a full cache hit). */
  readonly requests: number;
  /** Parts the input was split into (1 when it fit). */
  readonly parts: number;
}
