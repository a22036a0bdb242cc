/**
 * The contract between the model-server layer (src/core/llm) and the actions that use it
 * (summaries, tables, answers). Actions see only `LlmSession`; unit tests script it with a fake.
 */
export type ServerKind = 'ollama' | 'lmstudio' | 'vllm' | 'llamacpp' | 'openai-compatible';

export interface ServerInfo {
  readonly kind: ServerKind;
  /** Server version when it reports one. */
  readonly version?: string;
  /** Root URL without `/v1`, e.g. `http://127.0.0.1:11434`. */
  readonly baseUrl: string;
  readonly model: string;
  /** Usable context in tokens for this model as loaded (never the trained maximum). */
  readonly contextLength: number;
  /** Where `contextLength` came from: the server, the user's override, or a conservative guess. */
  readonly contextSource: 'server' | 'override' | 'default';
  /** Requests the server runs in parallel (slots); 1 when unknown. */
  readonly parallelSlots: number;
  /** True when token counts come from the server's tokenizer rather than an estimate. */
  readonly exactTokenCount: boolean;
}

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface TokenEstimate {
  /** Lower bound: the tokenizer will not produce fewer than this. */
  readonly low: number;
  /** Upper bound plus safety margin: plan budgets with this. */
  readonly budget: number;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /** Always sent explicitly (servers differ in defaults). */
  readonly maxTokens: number;
  readonly temperature?: number;
  /** Structured output: the server-specific `response_format` is derived from this. */
  readonly jsonSchema?: { readonly name: string; readonly schema: Readonly<Record<string, unknown>> };
  /**
   * The caller's token estimate of exactly these messages (the pipeline measured the prompt to decide it fits),
   * so the pre-send check does not estimate a long prompt a second time. Never carried over to other messages.
   */
  readonly estimate?: TokenEstimate;
}

export interface ChatUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /**
   * Prompt tokens the server took from its prefix cache instead of evaluating them (llama.cpp `timings.cache_n` or
   * `usage.prompt_tokens_details.cached_tokens`, vLLM `cached_tokens`); undefined when the server does not say.
   */
  readonly cachedTokens?: number;
  /** Time the server spent evaluating the prompt (llama.cpp `timings.prompt_ms`, Ollama `prompt_eval_duration`). */
  readonly promptMs?: number;
  /** Time the server spent loading the model for this request (Ollama `load_duration`). */
  readonly loadMs?: number;
}

export interface ChatResult {
  /** The whole answer, reasoning and `<think>` blocks removed. */
  readonly text: string;
  /** `length` is surfaced to the user, never hidden. */
  readonly finishReason: 'stop' | 'length';
  readonly usage?: ChatUsage;
  /** The model the server says answered (may differ from the requested one on LM Studio). */
  readonly model: string;
  /** Problems that did not stop the answer, e.g. "server dropped input" (prompt_tokens < 90 % of the estimate). */
  readonly warnings: readonly string[];
  readonly timings: { readonly firstTokenMs: number; readonly totalMs: number };
}

/** Visible answer text as it arrives; `result` settles when the stream ends (rejects with an AssistantError). */
export interface ChatStream extends AsyncIterable<string> {
  readonly result: Promise<ChatResult>;
}

export interface TokenCount {
  readonly count: number;
  readonly exact: boolean;
}

/** A connected server + model. All calls take a required AbortSignal. */
export interface LlmSession {
  readonly info: ServerInfo;
  countTokens(messages: readonly ChatMessage[], signal: AbortSignal): Promise<TokenCount>;
  stream(request: ChatRequest, signal: AbortSignal): ChatStream;
  complete(request: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  /**
   * Structured output: `response_format` json_schema in the server's shape, lenient parsing,
   * `validate` (throw to reject), one repair retry, then AssistantError('BadResponse').
   */
  completeJson<T>(
    request: ChatRequest & { readonly jsonSchema: NonNullable<ChatRequest['jsonSchema']> },
    validate: (value: unknown) => T,
    signal: AbortSignal,
  ): Promise<{ readonly value: T; readonly result: ChatResult }>;
}
