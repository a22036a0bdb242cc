import OpenAI from 'openai';
import { AssistantError, hasErrorCode, throwIfAborted } from '../errors';
import type { AssistantConfig } from '../config';
import { nullLogger, type Logger } from '../ports/logger';
import { makeChatStream } from './chatStream';
import { classifyFacts, errorFactsFromBody, isRetryable, toAssistantError } from './classify';
import {
  detectServer,
  listModels,
  pickModel,
  readModelFacts,
  type DetectedServer,
  type Http,
  type ModelEntry,
  type ModelFacts,
} from './discovery';
import { openAiBase } from './endpoint';
import { asNumber, asRecord, asString, parseJsonOrUndefined, request, sleep, type FetchLike } from './http';
import { parseLenientJson } from './lenientJson';
import { wrapFetchForOpenAi } from './openAiFetch';
import { ThinkFilter } from './thinkFilter';
import { estimateMessageTokens } from './tokens';
import type { ChatMessage, ChatRequest, ChatResult, ChatStream, ChatUsage, LlmSession, ServerInfo, TokenCount } from './types';

export interface ConnectOptions {
  readonly config: AssistantConfig;
  /** From the host's secret storage; never logged. */
  readonly apiKey?: string;
  /** Injected for tests and other hosts; defaults to the global fetch. */
  readonly fetch?: FetchLike;
  readonly logger?: Logger;
  /** Ports `auto` probes; defaults to 11434, 1234, 8000, 8080. */
  readonly ports?: readonly number[];
  /** Per-probe timeout during detection (default 1500 ms). */
  readonly probeTimeoutMs?: number;
  /** Retries for connection errors and 503 before the first token (default 3 attempts after the first, 1 s base backoff). */
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number };
}

/** A connected session plus what the adapter shows (Test Connection, status bar). */
export interface ConnectedSession extends LlmSession {
  /** Non-fatal findings during connect, e.g. "LM Studio has not loaded the model". */
  readonly notes: readonly string[];
  /** Every chat model the server offers (for Select Model). */
  readonly models: readonly ModelEntry[];
}

/** Internal stream events, the same for the OpenAI-compatible and the Ollama native path. */
type ChatEvent =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'reasoning' }
  | { readonly type: 'finish'; readonly reason: string }
  | { readonly type: 'usage'; readonly usage: ChatUsage }
  | { readonly type: 'model'; readonly model: string };

/** Original Qwen3 releases think by default and accept a switch; the 2507 Instruct/Thinking models do not. */
const HYBRID_QWEN3 = /qwen3(?!.*(?:instruct|thinking|2507|coder|vl))/i;
const THINKING_ONLY = /thinking|qwq|(^|[-_/:])r1\b/i;
const OLLAMA_TRUNCATE_FALSE_SINCE = [0, 12, 4] as const;
const OLLAMA_NUM_CTX_STEP = 8192;

function httpFor(options: ConnectOptions, signal: AbortSignal): Http {
  return {
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    apiKey: options.apiKey,
    signal,
    timeoutMs: options.probeTimeoutMs ?? 1500,
    logger: options.logger ?? nullLogger,
  };
}

/** Detects the server and lists its chat models (Select Model uses this without connecting a model). */
export async function discoverModels(
  options: ConnectOptions,
  signal: AbortSignal,
): Promise<{ server: DetectedServer; models: ModelEntry[] }> {
  const http = httpFor(options, signal);
  const server = await detectServer({
    ...http,
    endpoint: options.config.endpoint,
    allowRemote: options.config.allowRemoteEndpoint,
    ports: options.ports,
  });
  const models = await listModels(server, http);
  return { server, models };
}

/**
 * Finds the server, picks the model and reads its usable context: the one call an adapter makes.
 * Throws AssistantError (EndpointUnreachable, RemoteEndpointRefused, Auth, NoModels, ModelNotFound, Busy, Cancelled).
 */
export async function connect(options: ConnectOptions, signal: AbortSignal): Promise<ConnectedSession> {
  const logger = options.logger ?? nullLogger;
  const started = Date.now();
  const { server, models } = await discoverModels(options, signal);
  const model = pickModel(models, options.config.model);
  const http = httpFor(options, signal);
  const facts = await readModelFacts(server, model, options.config.contextLength, { ...http, timeoutMs: Math.max(http.timeoutMs, 5000) });
  throwIfAborted(signal);
  const exact = server.kind === 'vllm' || server.kind === 'llamacpp';
  const info: ServerInfo = {
    kind: server.kind,
    version: server.version,
    baseUrl: server.root,
    model: model.id,
    contextLength: facts.contextLength,
    contextSource: facts.contextSource,
    parallelSlots: facts.parallelSlots,
    exactTokenCount: exact,
  };
  logger.info(
    `Connected to ${info.kind}${info.version ? ` ${info.version}` : ''} at ${info.baseUrl}: model ${info.model}, context ${info.contextLength} (${info.contextSource}), ${info.parallelSlots} slot(s) in ${Date.now() - started} ms`,
  );
  for (const note of facts.notes) logger.warn(note);
  return new ServerSession(info, facts, models, options);
}

class ServerSession implements ConnectedSession {
  readonly notes: readonly string[];
  private readonly logger: Logger;
  private readonly fetchImpl: FetchLike;
  private client: OpenAI | undefined;
  /** Ollama: the num_ctx we load with; grows in steps and never shrinks, so requests do not reload the model back and forth. */
  private ollamaNumCtx = 0;
  /** Set when a (generic) server rejected `stream_options`; usage is then simply missing. */
  private noStreamOptions = false;

  constructor(
    readonly info: ServerInfo,
    private readonly facts: ModelFacts,
    readonly models: readonly ModelEntry[],
    private readonly options: ConnectOptions,
  ) {
    this.notes = facts.notes;
    this.logger = options.logger ?? nullLogger;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async countTokens(messages: readonly ChatMessage[], signal: AbortSignal): Promise<TokenCount> {
    const estimate = estimateMessageTokens(messages);
    const http = { fetch: this.fetchImpl, apiKey: this.options.apiKey, signal, timeoutMs: 10_000 };
    const root = this.info.baseUrl;
    if (this.info.kind === 'vllm') {
      const r = await request(`${root}/tokenize`, {
        ...http,
        body: { model: this.info.model, messages, add_generation_prompt: true, chat_template_kwargs: { enable_thinking: false } },
      });
      const count = asNumber(asRecord(r?.json)?.count);
      if (r?.status === 200 && count !== undefined) return { count, exact: true };
    } else if (this.info.kind === 'llamacpp') {
      const t = await request(`${root}/apply-template`, { ...http, body: { messages } });
      const prompt = asString(asRecord(t?.json)?.prompt);
      if (prompt !== undefined) {
        const r = await request(`${root}/tokenize`, { ...http, body: { content: prompt, add_special: true, parse_special: true } });
        const tokens = asRecord(r?.json)?.tokens;
        if (r?.status === 200 && Array.isArray(tokens)) return { count: tokens.length, exact: true };
      }
    }
    throwIfAborted(signal);
    return { count: estimate.budget, exact: false };
  }

  complete(request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    return this.stream(request, signal).result;
  }

  stream(chatRequest: ChatRequest, signal: AbortSignal): ChatStream {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    if (signal.aborted) controller.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return makeChatStream(
      (push) => this.run(chatRequest, controller.signal, push).finally(() => signal.removeEventListener('abort', onAbort)),
      () => controller.abort(),
    );
  }

  async completeJson<T>(
    chatRequest: ChatRequest & { readonly jsonSchema: NonNullable<ChatRequest['jsonSchema']> },
    validate: (value: unknown) => T,
    signal: AbortSignal,
  ): Promise<{ readonly value: T; readonly result: ChatResult }> {
    let req: ChatRequest = chatRequest;
    let result: ChatResult;
    try {
      result = await this.complete(req, signal);
    } catch (error) {
      // A server without structured output (generic OpenAI-compatible) refuses response_format: ask in words instead.
      if (!hasErrorCode(error, 'UnsupportedParameter')) throw error;
      this.logger.warn(`Server refused response_format (${error.message}); retrying without it`);
      req = { ...chatRequest, jsonSchema: undefined };
      result = await this.complete(req, signal);
    }
    let problem: string;
    try {
      return { value: validate(parseLenientJson(result.text)), result };
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    this.logger.warn(`JSON answer rejected (${problem}); asking the model once to repair it`);
    const repair: ChatRequest = {
      ...req,
      messages: [
        ...req.messages,
        { role: 'assistant', content: result.text },
        {
          role: 'user',
          content: `Your reply could not be used: ${problem}. Reply again with only the JSON value that matches the schema, no prose and no code fences.`,
        },
      ],
    };
    const second = await this.complete(repair, signal);
    try {
      return { value: validate(parseLenientJson(second.text)), result: second };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new AssistantError('BadResponse', `The model's JSON was unusable after one repair: ${detail}`, {
        cause: error,
        data: { detail },
      });
    }
  }

  /** One chat with retries (before any output), timers, the reasoning filter and the post-checks. */
  private async run(chatRequest: ChatRequest, signal: AbortSignal, push: (text: string) => void): Promise<ChatResult> {
    const { config } = this.options;
    const estimate = estimateMessageTokens(chatRequest.messages);
    this.precheck(chatRequest, estimate.budget);
    const retry = this.options.retry ?? { attempts: 3, baseDelayMs: 1000 };
    const started = Date.now();
    const extra = { endpoint: this.info.baseUrl, model: this.info.model };
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
      // Thinking-only models (Qwen3 *-Thinking-2507, QwQ, R1) may emit reasoning without an opening tag, which
      // cannot be told from the answer until `</think>` shows up: hold their text until then. Instruct and hybrid
      // models (hybrids get the thinking-off switch) stream at once; a rare stray `</think>` is corrected in the result.
      const filter = new ThinkFilter(THINKING_ONLY.test(this.info.model) ? Number.POSITIVE_INFINITY : 0);
      let anyEvent = false;
      let firstTokenMs = -1;
      let text = '';
      let reasoningChunks = 0;
      let finish: string | undefined;
      let usage: ChatUsage | undefined;
      let answeredModel: string | undefined;
      try {
        const events =
          this.info.kind === 'ollama'
            ? this.ollamaEvents(chatRequest, estimate.budget, attemptController.signal)
            : this.openAiEvents(chatRequest, attemptController.signal);
        for await (const event of events) {
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
        if (!anyEvent && error.code === 'UnsupportedParameter' && /stream.?options/i.test(error.message) && !this.noStreamOptions) {
          this.noStreamOptions = true;
          this.logger.warn('The server rejected stream_options; streaming without usage counts');
          attempt--;
          continue;
        }
        if (!anyEvent && isRetryable(error) && attempt < retry.attempts && !signal.aborted) {
          const delay = retry.baseDelayMs * 2 ** attempt;
          this.logger.warn(`${error.message}; retry ${attempt + 1}/${retry.attempts} in ${delay} ms`);
          await sleep(delay, signal);
          continue;
        }
        if (error.code !== 'Cancelled')
          this.logger.warn(`Chat with ${this.info.model} at ${this.info.baseUrl} failed: ${error.code} ${error.message}`);
        throw error;
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
      if (filter.orphanAt !== undefined) text = text.slice(filter.orphanAt).replace(/^\s+/, '');
      return this.finishResult({
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
        maxTokens: chatRequest.maxTokens,
      });
    }
  }

  /** Refuses a request that cannot fit before sending it: servers that truncate would do so silently. */
  private precheck(chatRequest: ChatRequest, promptBudget: number): void {
    if (this.info.contextSource === 'default' || this.info.exactTokenCount) return;
    if (promptBudget + chatRequest.maxTokens > this.info.contextLength) {
      throw new AssistantError(
        'ContextTooLarge',
        `Prompt ≈${promptBudget} tokens + ${chatRequest.maxTokens} output tokens exceed the usable context of ${this.info.contextLength}`,
        {
          data: {
            promptTokens: promptBudget,
            contextLength: this.info.contextLength,
            detail: `≈${promptBudget} + ${chatRequest.maxTokens} > ${this.info.contextLength} tokens`,
          },
        },
      );
    }
  }

  private finishResult(s: {
    text: string;
    finish: string | undefined;
    usage: ChatUsage | undefined;
    answeredModel: string | undefined;
    reasoningChunks: number;
    firstTokenMs: number;
    started: number;
    estimateLow: number;
    estimateBudget: number;
    orphan: boolean;
    maxTokens: number;
  }): ChatResult {
    const extra = { endpoint: this.info.baseUrl, model: this.info.model };
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
      // LM Studio's third overflow variant: a well-formed, empty answer (SERVERS.md §3.3).
      if (s.estimateBudget >= this.info.contextLength) {
        throw new AssistantError('ContextTooLarge', 'Empty answer for a prompt at the context limit', {
          data: {
            ...extra,
            promptTokens: s.estimateBudget,
            contextLength: this.info.contextLength,
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
    if (finishReason === 'length' && s.usage && s.usage.promptTokens + s.usage.completionTokens >= 0.98 * this.info.contextLength) {
      warnings.push(
        `context exhausted: prompt ${s.usage.promptTokens} + answer ${s.usage.completionTokens} tokens filled the ${this.info.contextLength}-token context`,
      );
    }
    const answered = s.answeredModel ?? this.info.model;
    if (!sameModel(answered, this.info.model)) warnings.push(`model mismatch: asked for ${this.info.model}, ${answered} answered`);
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
    this.logger.info(
      `Chat ${this.info.kind} ${answered}: prompt ${s.usage?.promptTokens ?? '?'} tokens (estimate ≥${s.estimateLow}), answer ${s.usage?.completionTokens ?? '?'} tokens, finish ${finishReason}, first token ${s.firstTokenMs} ms, total ${totalMs} ms`,
    );
    for (const w of warnings) this.logger.warn(w);
    this.logger.trace(`Answer text: ${s.text}`);
    return result;
  }

  private openAi(): OpenAI {
    this.client ??= new OpenAI({
      baseURL: openAiBase(this.info.baseUrl),
      apiKey: this.options.apiKey || 'no-key',
      maxRetries: 0,
      // Covers only the wait for response headers (model load + prefill on Ollama/llama.cpp); our timers govern.
      timeout: (this.options.config.firstTokenTimeoutSeconds + 30) * 1000,
      fetch: wrapFetchForOpenAi(this.fetchImpl, Boolean(this.options.apiKey)),
      dangerouslyAllowBrowser: true,
      logLevel: 'off',
    });
    return this.client;
  }

  /** OpenAI-compatible chat (LM Studio, vLLM, llama.cpp, generic) through the official client. */
  private async *openAiEvents(chatRequest: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
    const messages = chatRequest.messages.map((m) => ({ role: m.role, content: m.content }));
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    if (this.info.kind === 'lmstudio' && HYBRID_QWEN3.test(this.info.model) && lastUser) {
      // LM Studio has no API switch for thinking; hybrid Qwen3 templates honour the documented `/no_think` soft switch.
      lastUser.content = `${lastUser.content}\n/no_think`;
    }
    const body: Record<string, unknown> = {
      model: this.info.model,
      messages,
      max_tokens: chatRequest.maxTokens,
      temperature: chatRequest.temperature ?? this.options.config.temperature,
      stream: true,
    };
    // Usage arrives only with include_usage; it is how a server's dropped input is noticed.
    if (!this.noStreamOptions) body.stream_options = { include_usage: true };
    if (this.info.kind === 'vllm' || this.info.kind === 'llamacpp') {
      // Hybrid Qwen3 thinks unless told otherwise; templates without the variable ignore it.
      body.chat_template_kwargs = { enable_thinking: false };
    }
    if (chatRequest.jsonSchema) {
      // json_schema everywhere (LM Studio rejects json_object); every server reads json_schema.schema.
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: chatRequest.jsonSchema.name, schema: chatRequest.jsonSchema.schema, strict: true },
      };
    }
    this.logger.trace(`POST ${openAiBase(this.info.baseUrl)}/chat/completions ${JSON.stringify(body)}`);
    const stream = await this.openAi().chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsStreaming, { signal });
    for await (const chunk of stream) {
      if (typeof chunk.model === 'string' && chunk.model) yield { type: 'model', model: chunk.model };
      for (const choice of chunk.choices ?? []) {
        const delta = (choice.delta ?? {}) as Record<string, unknown>;
        const reasoning = delta.reasoning ?? delta.reasoning_content;
        if (typeof reasoning === 'string' && reasoning.length > 0) yield { type: 'reasoning' };
        if (typeof delta.content === 'string' && delta.content.length > 0) yield { type: 'text', text: delta.content };
        if (choice.finish_reason) yield { type: 'finish', reason: choice.finish_reason };
      }
      if (chunk.usage)
        yield { type: 'usage', usage: { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens } };
    }
  }

  /**
   * Ollama goes through the native /api/chat, not /v1 (SERVERS.md §2.3): /v1 ignores num_ctx and silently cuts the
   * front of any prompt longer than the loaded context (often 4096). Natively we send `options.num_ctx` sized to
   * the request (in 8k steps, never shrinking, bounded by the trained context and the cap/override, so the model is
   * not reloaded back and forth) and `truncate:false` (≥ 0.12.4) so an overflow is an error, not a silent cut.
   * prompt_eval_count is still compared with the estimate afterwards (older versions can truncate).
   */
  private async *ollamaEvents(chatRequest: ChatRequest, promptBudget: number, signal: AbortSignal): AsyncGenerator<ChatEvent> {
    const needed = Math.ceil((promptBudget + chatRequest.maxTokens) / OLLAMA_NUM_CTX_STEP) * OLLAMA_NUM_CTX_STEP;
    this.ollamaNumCtx = Math.min(this.info.contextLength, Math.max(this.ollamaNumCtx, needed));
    const body: Record<string, unknown> = {
      model: this.info.model,
      messages: chatRequest.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      options: {
        num_ctx: this.ollamaNumCtx,
        num_predict: chatRequest.maxTokens,
        temperature: chatRequest.temperature ?? this.options.config.temperature,
      },
    };
    // Only thinking-capable models accept `think`; for the others it is a no-op we do not send.
    if (this.facts.thinking) body.think = false;
    if (versionAtLeast(this.info.version, OLLAMA_TRUNCATE_FALSE_SINCE)) body.truncate = false;
    if (chatRequest.jsonSchema) body.format = chatRequest.jsonSchema.schema;
    this.logger.debug(`Ollama /api/chat num_ctx=${this.ollamaNumCtx} num_predict=${chatRequest.maxTokens}`);
    this.logger.trace(`POST ${this.info.baseUrl}/api/chat ${JSON.stringify(body)}`);
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.info.baseUrl}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled', { cause: error });
      throw toAssistantError(error instanceof TypeError ? error : new TypeError(String(error)), { endpoint: this.info.baseUrl });
    }
    if (!response.ok || response.body === null) {
      const text = await response.text();
      throw classifyFacts(errorFactsFromBody(response.status, parseJsonOrUndefined(text), text), {
        endpoint: this.info.baseUrl,
        model: this.info.model,
      });
    }
    const decoder = new TextDecoder();
    let pending = '';
    const reader = response.body.getReader();
    const parse = (line: string): ChatEvent[] => {
      if (line.trim() === '') return [];
      const json = parseJsonOrUndefined(line);
      const record = asRecord(json);
      if (!record)
        throw new AssistantError('BadResponse', `Malformed NDJSON line from Ollama: ${line.slice(0, 120)}`, {
          data: { detail: 'malformed stream data' },
        });
      if (record.error !== undefined)
        throw classifyFacts(errorFactsFromBody(undefined, record), { endpoint: this.info.baseUrl, model: this.info.model });
      const out: ChatEvent[] = [];
      if (typeof record.model === 'string') out.push({ type: 'model', model: record.model });
      const message = asRecord(record.message);
      if (typeof message?.thinking === 'string' && message.thinking.length > 0) out.push({ type: 'reasoning' });
      if (typeof message?.content === 'string' && message.content.length > 0) out.push({ type: 'text', text: message.content });
      if (record.done === true) {
        const prompt = asNumber(record.prompt_eval_count);
        const completion = asNumber(record.eval_count);
        if (prompt !== undefined || completion !== undefined)
          out.push({ type: 'usage', usage: { promptTokens: prompt ?? 0, completionTokens: completion ?? 0 } });
        out.push({ type: 'finish', reason: asString(record.done_reason) ?? 'stop' });
      }
      return out;
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) yield* parse(line);
      }
      pending += decoder.decode();
      yield* parse(pending);
    } catch (error) {
      if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled', { cause: error });
      throw error;
    } finally {
      reader.cancel().catch(() => undefined);
    }
  }
}

/** Equal ids, ignoring case and Ollama's implicit `:latest`. */
function sameModel(a: string, b: string): boolean {
  const norm = (s: string): string => s.toLowerCase().replace(/:latest$/, '');
  return norm(a) === norm(b);
}

export function versionAtLeast(version: string | undefined, min: readonly number[]): boolean {
  if (!version) return false;
  const parts = /(\d+)\.(\d+)\.(\d+)/.exec(version)?.slice(1).map(Number);
  if (!parts) return false;
  for (let i = 0; i < min.length; i++) {
    const p = parts[i] ?? 0;
    const m = min[i] ?? 0;
    if (p !== m) return p > m;
  }
  return true;
}
