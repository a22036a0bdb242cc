import { AssistantError } from '../errors';
import type { Logger } from '../ports/logger';
import type { ChatResult, ChatUsage, ServerInfo } from './types';

/** What one attempt gathered from the stream, checked and turned into a ChatResult by `finishResult`. */
export interface StreamOutcome {
  readonly text: string;
  readonly finish: string | undefined;
  readonly usage: ChatUsage | undefined;
  readonly answeredModel: string | undefined;
  readonly reasoningChunks: number;
  readonly firstTokenMs: number;
  readonly started: number;
  readonly estimateLow: number;
  readonly estimateBudget: number;
  readonly orphan: boolean;
  readonly maxTokens: number;
}

/**
 * The post-checks: a stream without a finish reason or with an empty answer is a failure, never a success; dropped
 * input, an exhausted context and another model answering become warnings.
 */
export function finishResult(info: ServerInfo, logger: Logger, s: StreamOutcome): ChatResult {
  const extra = { endpoint: info.baseUrl, model: info.model };
  if (s.finish === undefined) {
    throw new AssistantError('SilentFailure', 'The stream ended without finish_reason', {
      data: { ...extra, detail: 'the stream ended without a finish reason' },
    });
  }
  if (s.finish === 'error' || s.finish === 'abort') {
    throw new AssistantError('ServerError', `The server ended generation with finish_reason ${s.finish}`, {
      data: { ...extra, detail: `finish_reason ${s.finish}` },
    });
  }
  const finishReason = s.finish === 'length' ? 'length' : 'stop';
  if (finishReason === 'stop' && s.text.trim() === '') {
    // Some servers (LM Studio) answer a prompt over the context with a well-formed, empty stream.
    if (s.estimateBudget >= info.contextLength) {
      throw new AssistantError('ContextTooLarge', 'Empty answer for a prompt at the context limit', {
        data: {
          ...extra,
          promptTokens: s.estimateBudget,
          contextLength: info.contextLength,
          detail: 'the server returned nothing for a prompt at the context limit',
        },
      });
    }
    throw new AssistantError('SilentFailure', 'The server returned an empty answer', {
      data: { ...extra, detail: s.reasoningChunks > 0 ? 'the model only produced reasoning' : 'an empty answer' },
    });
  }
  const warnings: string[] = [];
  if (s.usage && s.estimateLow >= 64 && s.usage.promptTokens < 0.9 * s.estimateLow) {
    warnings.push(`server dropped input: it processed ${s.usage.promptTokens} prompt tokens, at least ${s.estimateLow} were sent`);
  }
  if (finishReason === 'length' && s.usage && s.usage.promptTokens + s.usage.completionTokens >= 0.98 * info.contextLength) {
    warnings.push(
      `context exhausted: prompt ${s.usage.promptTokens} + answer ${s.usage.completionTokens} tokens filled the ${info.contextLength}-token context`,
    );
  }
  const answered = s.answeredModel ?? info.model;
  if (!sameModel(answered, info.model)) warnings.push(`model mismatch: asked for ${info.model}, ${answered} answered`);
  if (s.orphan) warnings.push('reasoning without an opening <think> was streamed before </think>; the result text leaves it out');
  const totalMs = Date.now() - s.started;
  const result: ChatResult = {
    text: s.text,
    finishReason,
    usage: s.usage,
    model: answered,
    warnings,
    timings: { firstTokenMs: s.firstTokenMs, totalMs },
  };
  logger.info(
    `Chat ${info.kind} ${answered}: prompt ${s.usage?.promptTokens ?? '?'} tokens ` +
      `(estimate ≥${s.estimateLow}${serverCounters(s.usage)}), answer ${s.usage?.completionTokens ?? '?'} tokens, ` +
      `finish ${finishReason}, first token ${s.firstTokenMs} ms, total ${totalMs} ms`,
  );
  for (const w of warnings) logger.warn(w);
  logger.trace(`Answer text: ${s.text}`);
  return result;
}

/**
 * What the server says about its own work on the prompt: tokens served from its prefix cache, evaluation and load
 * time. A follow-up on the same sources should show most of the prompt cached and no load.
 */
function serverCounters(usage: ChatUsage | undefined): string {
  if (!usage) return '';
  const parts: string[] = [];
  if (usage.cachedTokens !== undefined) {
    // Rounded down: "100 %" only when nothing was evaluated.
    const share = usage.promptTokens > 0 ? Math.floor((100 * usage.cachedTokens) / usage.promptTokens) : 0;
    parts.push(`${usage.cachedTokens} from the server's prompt cache (${share} %)`);
  }
  if (usage.promptMs !== undefined) parts.push(`evaluated in ${Math.round(usage.promptMs)} ms`);
  if (usage.loadMs !== undefined) parts.push(`model load ${Math.round(usage.loadMs)} ms`);
  return parts.map((p) => `, ${p}`).join('');
}

/** Equal ids, ignoring case and Ollama's implicit `:latest`. */
function sameModel(a: string, b: string): boolean {
  const norm = (s: string): string => s.toLowerCase().replace(/:latest$/, '');
  return norm(a) === norm(b);
}
