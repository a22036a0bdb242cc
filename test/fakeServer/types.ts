/** Public types of the fake OpenAI-compatible servers (re-exported by ./index). */

export type Flavour = 'ollama' | 'lmstudio' | 'vllm' | 'llamacpp';

/**
 * Where streamed/returned reasoning goes: `delta.reasoning` (Ollama ≥0.11, vLLM new), `delta.reasoning_content`
 * (llama.cpp, LM Studio dev setting, vLLM ≤0.11), both (vLLM between PR #27752 and #33402), or raw `<think>` in content.
 */
export type ReasoningStyle = 'reasoning' | 'reasoning_content' | 'both' | 'inline-think';

/**
 * What happens when the prompt does not fit (per flavour, as the real servers behave):
 * - `truncate` (Ollama default): silent front truncation, HTTP 200, shrunken usage.prompt_tokens;
 * - `reject`: Ollama with context shift off → 400;
 * - `http400` (LM Studio (a), llama.cpp new era, vLLM): 400 error;
 * - `http200Error` (LM Studio (b)): HTTP 200 with `{"error":"…"}` body (as an SSE data frame when streaming);
 * - `emptyStream` (LM Studio (c)): HTTP 200, well-formed answer with zero content and finish_reason stop;
 * - `inStreamError` (llama.cpp before PR #16486): streaming → HTTP 200 + `error: {…}` SSE line + `data: [DONE]`.
 */
export type OverflowMode = 'truncate' | 'reject' | 'http400' | 'http200Error' | 'emptyStream' | 'inStreamError';

export type Fault =
  | 'refuse' /* destroy socket before response */
  | 'http500'
  | 'http503'
  | 'stall' /* send headers + some chunks then nothing */
  | 'drop' /* close mid-stream without finish_reason / [DONE] */
  | 'malformedSse'
  | 'emptyStream'
  | 'htmlError'
  /* the flavour's own mid-stream error (Ollama: empty chunk + close; vLLM: data {error} + [DONE]; llama.cpp: data {error}, no [DONE]) */
  | 'midStreamError';

export type Reply =
  | string
  | {
      text?: string;
      /** Exact content deltas (one chunk each); overrides `text`. */
      chunks?: string[];
      /** Reasoning text; only sent when thinking is on for the request. Default: canned reasoning. */
      reasoning?: string;
      fault?: Fault;
      finishReason?: 'stop' | 'length';
      /** Extra delay after the slot is taken, before the answer starts. */
      delayMs?: number;
    };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw JSON as the client sent it
  /** Prompt tokens the server actually processed (after any Ollama truncation). */
  promptTokens?: number;
  /** Prompt tokens before truncation (only set when the server truncated). */
  originalPromptTokens?: number;
  /** Chat only: leading prompt tokens identical to the previous chat request's (what a prefix cache could reuse). */
  sharedPrefixTokens?: number;
  /** Chat only: prompt tokens the server took from its own cache (llama.cpp slot, Ollama runner) instead of evaluating. */
  cachedTokens?: number;
  /** Embedding requests: how many inputs the request carried (`promptTokens` is then their total). */
  embeddingInputs?: number;
  /** llama.cpp: the slot that served the request. */
  slot?: number;
  /** ms since epoch when the request arrived. */
  at: number;
  /** ms since epoch when a slot was taken (chat only). */
  startedAt?: number;
  /** ms since epoch when the response ended (chat only). */
  endedAt?: number;
  status?: number;
  /** Client disconnected before the answer was complete. */
  aborted?: boolean;
}

export type ReplyOption = Reply | ((req: RecordedRequest) => Reply | Promise<Reply>);

export interface FakeServerOptions {
  flavour: Flavour;
  /** 0 / undefined = random free port; host is always 127.0.0.1. */
  port?: number;
  /** Effective context (Ollama: loaded num_ctx, default 4096; vLLM max_model_len; llama.cpp n_ctx per slot; LM Studio loaded context). */
  ctx?: number;
  /** Requests served at once; extra ones queue. Defaults: ollama 1, lmstudio 4, vllm 64, llamacpp 4. */
  slots?: number;
  models?: string[];
  version?: string;
  /** vLLM / llama.cpp / LM Studio require `Authorization: Bearer <apiKey>` when set; Ollama ignores it. */
  apiKey?: string;
  /** Generation speed per slot (default 2000). */
  tokensPerSecond?: number;
  /** Prompt processing speed (default 100000). */
  prefillTokensPerSecond?: number;
  /** The model emits reasoning (Ollama: model has the `thinking` capability and thinks by default). */
  thinking?: boolean;
  reasoningStyle?: ReasoningStyle;
  overflowMode?: OverflowMode;
  reply?: ReplyOption;

  // --- further options (all optional) ---
  /** vLLM error era: `old` (≤0.10.0 flat body + old message), `mid` (0.10.x–0.11 message), `new` (renderer message, default). */
  vllmEra?: 'old' | 'mid' | 'new';
  /** llama.cpp `/v1/models` era: `new` adds `meta.n_ctx` (default), `old` has only `meta.n_ctx_train`. */
  llamacppEra?: 'old' | 'new';
  /** Ollama token-level cut: `half` keeps 4 head tokens + tail ≈ ctx/2 (≥0.30.11, default); `full` fills the whole ctx (<0.30.0). */
  ollamaTruncation?: 'half' | 'full';
  /** Ollama /v1 stream style: `new` (≥0.32.6, dedicated finish chunk) or `old`; default from `version`. */
  ollamaStreamStyle?: 'old' | 'new';
  /** Ollama: waiting requests beyond this → 503 "server busy" (default 512). */
  maxQueue?: number;
  /** The model's trained context (Ollama /api/show, llama.cpp n_ctx_train, LM Studio max_context_length). Default 262144. */
  trainedCtx?: number;
  /** Ollama/LM Studio: the model is loaded at start (default true); Ollama /api/ps lists it only when loaded. */
  preloaded?: boolean;
  /** llama.cpp: answer 503 "Loading model" for this long after start (default 0). */
  loadingMs?: number;
  /** Simulated model load time when Ollama (re)loads (default 0). */
  loadMs?: number;
  /** llama.cpp: send `: ping` SSE comments (before the first frame and between frames). */
  ssePing?: boolean;
  /** LM Studio: with one model loaded, the `model` field is ignored (0.3.14 behaviour). Default false (404). */
  ignoreModelName?: boolean;
  /**
   * Embedding models listed after the chat models. Default `[]`: none, as on a server where no embedding model was
   * pulled (llama.cpp then answers 501, as a server started without `--embeddings`). `DEFAULT_EMBEDDING_MODELS`
   * has one per flavour (ollama `qwen3-embedding:0.6b`, lmstudio `text-embedding-qwen3-embedding-0.6b`,
   * vllm `Qwen/Qwen3-Embedding-0.6B`, llamacpp `Qwen3-Embedding-0.6B`).
   */
  embeddingModels?: string[];
  /**
   * Largest embedding input in tokens: the embedding model's context (Ollama `/api/show` `<arch>.context_length`,
   * LM Studio `max_context_length`, vLLM `max_model_len`) or llama.cpp's physical batch. Default 8192 (llamacpp 512).
   */
  embeddingCtx?: number;
  /** Length of the fake embedding vectors (default 256). */
  embeddingDimensions?: number;
}

export interface FakeServer {
  /** Root, e.g. http://127.0.0.1:43123 (no /v1). */
  url: string;
  port: number;
  flavour: Flavour;
  /** Every request, in order. */
  requests: RecordedRequest[];
  /** Only chat completions (/v1/chat/completions, /chat/completions, /api/chat, /api/v0/chat/completions). */
  chatRequests(): RecordedRequest[];
  /** Only embedding requests (/api/embed, /api/embeddings, /v1/embeddings, /embeddings, /api/v0/embeddings). */
  embeddingRequests(): RecordedRequest[];
  setReply(reply: FakeServerOptions['reply']): void;
  /** Consumed one per chat request, then fall back to reply/default. */
  queueReplies(...replies: Reply[]): void;
  /** E.g. change ctx (models a reload). */
  setOption(patch: Partial<FakeServerOptions>): void;
  /** Highest number of chat requests open at once (received, response not yet finished; queued ones count). */
  readonly maxConcurrent: number;
  /** Highest number of chat requests being served in slots at once (never above `slots`). */
  readonly maxActive: number;
  /** Ollama: how many times the model was (re)loaded because num_ctx changed. */
  readonly reloads: number;
  /** What `GET /_fake/stats` answers: reloads, concurrency and per-chat prefix reuse. */
  stats(): FakeStats;
  close(): Promise<void>;
}

/** Counters a test or the bench reads from a fake (also served as JSON at `GET /_fake/stats`). */
export interface FakeStats {
  reloads: number;
  maxActive: number;
  maxConcurrent: number;
  chats: Array<{
    path: string;
    at: number;
    startedAt?: number;
    endedAt?: number;
    promptTokens?: number;
    sharedPrefixTokens?: number;
    cachedTokens?: number;
    slot?: number;
  }>;
}
