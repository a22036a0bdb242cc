import { AssistantError, throwIfAborted } from '../errors';
import type { AssistantConfig } from '../config';
import type { Logger } from '../ports/logger';
import { finishResult } from './chatResult';
import { isRetryable, toAssistantError } from './classify';
import type { ChatTransport } from './dialects/dialect';
import { sleep } from './http';
import { ThinkFilter } from './thinkFilter';
import { estimateMessageTokens } from './tokens';
import type { ChatRequest, ChatResult, ChatUsage, ServerInfo } from './types';

/** Thinking-only models (Qwen3 *-Thinking-2507, QwQ, R1) may emit reasoning without an opening tag. */
const THINKING_ONLY = /thinking|qwq|(^|[-_/:])r1\b/i;

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
}

export interface ChatRunContext {
  readonly info: ServerInfo;
  readonly config: AssistantConfig;
  readonly transport: ChatTransport;
  readonly retry: RetryPolicy;
  readonly logger: Logger;
}

/**
 * One chat: the size check before sending, retries of connection errors and busy answers (only before any output
 * arrived: a retry after visible text would show it twice), the first-token and idle timers, the reasoning filter,
 * and the post-checks on the finished answer.
 */
export async function runChat(
  context: ChatRunContext,
  request: ChatRequest,
  signal: AbortSignal,
  push: (text: string) => void,
): Promise<ChatResult> {
  const { info, config, transport, retry, logger } = context;
  const estimate = request.estimate ?? estimateMessageTokens(request.messages);
  precheck(info, request, estimate.budget);
  const started = Date.now();
  const extra = { endpoint: info.baseUrl, model: info.model };
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal);
    const attemptController = new AbortController();
    const onAbort = (): void => attemptController.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let timedOut: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number, what: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = what;
        attemptController.abort();
      }, ms);
    };
    arm(config.firstTokenTimeoutSeconds * 1000, `no first token within ${config.firstTokenTimeoutSeconds} s`);
    // Reasoning without an opening tag cannot be told from the answer until `</think>` shows up: hold a thinking-only
    // model's text until then. Instruct and hybrid models (hybrids get the thinking-off switch) stream at once; a
    // rare stray `</think>` is corrected in the result.
    const filter = new ThinkFilter(THINKING_ONLY.test(info.model) ? Number.POSITIVE_INFINITY : 0);
    let anyEvent = false;
    let firstTokenMs = -1;
    let text = '';
    let reasoningChunks = 0;
    let finish: string | undefined;
    let usage: ChatUsage | undefined;
    let answeredModel: string | undefined;
    try {
      for await (const event of transport.events(request, estimate.budget, attemptController.signal)) {
        if (event.type === 'text' || event.type === 'reasoning') {
          if (!anyEvent) firstTokenMs = Date.now() - started;
          anyEvent = true;
          arm(config.idleTimeoutSeconds * 1000, `no text for ${config.idleTimeoutSeconds} s`);
        }
        switch (event.type) {
          case 'text': {
            const visible = filter.push(event.text);
            text += visible;
            push(visible);
            break;
          }
          case 'reasoning':
            reasoningChunks++;
            break;
          case 'finish':
            finish = event.reason;
            break;
          case 'usage':
            usage = event.usage;
            break;
          case 'model':
            answeredModel = event.model;
            break;
        }
      }
      // The openai client swallows aborts inside iteration: find out why the loop ended.
      if (attemptController.signal.aborted) throw new AssistantError('Cancelled', 'Cancelled');
      const tail = filter.end();
      text += tail;
      push(tail);
    } catch (caught) {
      let error = toAssistantError(caught, extra);
      if (timedOut !== undefined && !signal.aborted) {
        error = new AssistantError('Timeout', `Timed out: ${timedOut}`, { data: { ...extra, detail: timedOut } });
      } else if (error.code === 'EndpointUnreachable' && anyEvent) {
        error = new AssistantError('SilentFailure', `Connection lost mid-answer: ${error.message}`, {
          cause: error,
          data: { ...extra, detail: 'the connection closed mid-answer' },
        });
      }
      if (!anyEvent && transport.adaptToRejection(error)) {
        attempt--;
        continue;
      }
      if (!anyEvent && isRetryable(error) && attempt < retry.attempts && !signal.aborted) {
        const delay = retry.baseDelayMs * 2 ** attempt;
        logger.warn(`${error.message}; retry ${attempt + 1}/${retry.attempts} in ${delay} ms`);
        await sleep(delay, signal);
        continue;
      }
      if (error.code !== 'Cancelled') logger.warn(`Chat with ${info.model} at ${info.baseUrl} failed: ${error.code} ${error.message}`);
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    if (filter.orphanAt !== undefined) text = text.slice(filter.orphanAt).replace(/^\s+/, '');
    return finishResult(info, logger, {
      text,
      finish,
      usage,
      answeredModel,
      reasoningChunks,
      firstTokenMs,
      started,
      estimateLow: estimate.low,
      estimateBudget: estimate.budget,
      orphan: filter.orphanClose,
      maxTokens: request.maxTokens,
    });
  }
}

/** Refuses a request that cannot fit before sending it: servers that truncate would do so silently. */
function precheck(info: ServerInfo, request: ChatRequest, promptBudget: number): void {
  if (info.contextSource === 'default' || info.exactTokenCount) return;
  if (promptBudget + request.maxTokens > info.contextLength) {
    throw new AssistantError(
      'ContextTooLarge',
      `Prompt ≈${promptBudget} tokens + ${request.maxTokens} output tokens exceed the usable context of ${info.contextLength}`,
      {
        data: {
          promptTokens: promptBudget,
          contextLength: info.contextLength,
          detail: `≈${promptBudget} + ${request.maxTokens} > ${info.contextLength} tokens`,
        },
      },
    );
  }
}
