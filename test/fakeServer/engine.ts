/**
 * The flavour-neutral machinery of the fake servers: shared state, slots with a queue, the throughput model,
 * reply resolution, and the OpenAI chat-completion writers (SSE and JSON) in each flavour's framing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { cannedMarkdown, cannedReasoning, jsonForSchema, type JsonSchema } from './canned';
import { tokenPieces, countTokens, type TemplateMessage } from './tokenizer';
import type { Fault, FakeServerOptions, Flavour, ReasoningStyle, RecordedRequest, Reply } from './types';

export const DEFAULT_MODELS: Record<Flavour, string[]> = {
  ollama: ['qwen3:4b-instruct-2507'],
  lmstudio: ['qwen/qwen3-4b-2507'],
  vllm: ['Qwen/Qwen3-4B-Instruct-2507'],
  llamacpp: ['Qwen/Qwen3-4B-Instruct-2507'],
};
/** The embedding model each flavour lists when a test asks for one (`embeddingModels: DEFAULT_EMBEDDING_MODELS[f]`). */
export const DEFAULT_EMBEDDING_MODELS: Record<Flavour, string[]> = {
  ollama: ['qwen3-embedding:0.6b'],
  lmstudio: ['text-embedding-qwen3-embedding-0.6b'],
  vllm: ['Qwen/Qwen3-Embedding-0.6B'],
  llamacpp: ['Qwen3-Embedding-0.6B'],
};
const DEFAULT_SLOTS: Record<Flavour, number> = { ollama: 1, lmstudio: 4, vllm: 64, llamacpp: 4 };
const DEFAULT_VERSION: Record<Flavour, string> = { ollama: '0.12.6', lmstudio: '0.3.31', vllm: '0.11.0', llamacpp: 'b6700-0123abcd' };
const DEFAULT_CTX: Record<Flavour, number> = { ollama: 4096, lmstudio: 4096, vllm: 32768, llamacpp: 8192 };
const DEFAULT_REASONING: Record<Flavour, ReasoningStyle> = {
  ollama: 'reasoning',
  lmstudio: 'reasoning_content',
  vllm: 'reasoning',
  llamacpp: 'reasoning_content',
};
const DEFAULT_OVERFLOW = { ollama: 'truncate', lmstudio: 'http400', vllm: 'http400', llamacpp: 'http400' } as const;

export type ResolvedOptions = Required<Omit<FakeServerOptions, 'port' | 'apiKey' | 'reply'>> & Pick<FakeServerOptions, 'apiKey' | 'reply'>;

export function resolveOptions(o: FakeServerOptions): ResolvedOptions {
  const f = o.flavour;
  const models = o.models ?? DEFAULT_MODELS[f];
  const version = o.version ?? DEFAULT_VERSION[f];
  return {
    flavour: f,
    ctx: o.ctx ?? DEFAULT_CTX[f],
    slots: Math.max(1, o.slots ?? DEFAULT_SLOTS[f]),
    models,
    version,
    apiKey: o.apiKey,
    tokensPerSecond: o.tokensPerSecond ?? 2000,
    prefillTokensPerSecond: o.prefillTokensPerSecond ?? 100000,
    thinking: o.thinking ?? false,
    reasoningStyle: o.reasoningStyle ?? DEFAULT_REASONING[f],
    overflowMode: o.overflowMode ?? DEFAULT_OVERFLOW[f],
    reply: o.reply,
    vllmEra: o.vllmEra ?? 'new',
    llamacppEra: o.llamacppEra ?? 'new',
    ollamaTruncation: o.ollamaTruncation ?? 'half',
    ollamaStreamStyle: o.ollamaStreamStyle ?? (versionAtLeast(version, '0.32.6') ? 'new' : 'old'),
    maxQueue: o.maxQueue ?? 512,
    trainedCtx: o.trainedCtx ?? 262144,
    preloaded: o.preloaded ?? true,
    loadingMs: o.loadingMs ?? 0,
    loadMs: o.loadMs ?? 0,
    ssePing: o.ssePing ?? false,
    ignoreModelName: o.ignoreModelName ?? false,
    embeddingModels: o.embeddingModels ?? [],
    embeddingCtx: o.embeddingCtx ?? (f === 'llamacpp' ? 512 : 8192),
    embeddingDimensions: Math.max(8, o.embeddingDimensions ?? 256),
  };
}

export function versionAtLeast(version: string, min: string): boolean {
  const parse = (v: string): number[] => (v.match(/\d+/g) ?? []).slice(0, 3).map(Number);
  const a = parse(version);
  const b = parse(min);
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** Mutable per-server state shared by the flavour handlers. */
export class ServerState {
  opts: ResolvedOptions;
  readonly requests: RecordedRequest[] = [];
  readonly queue: Reply[] = [];
  readonly sockets = new Set<Socket>();
  readonly startedAt = Date.now();
  open = 0;
  active = 0;
  maxOpen = 0;
  maxActive = 0;
  reloads = 0;
  private waiting: Array<() => void> = [];
  private counter = 0;
  /** Token ids of the previous chat request's prompt (for the shared-prefix report). */
  lastPromptIds: number[] = [];
  /** The prompt each slot (llama.cpp) or the runner (Ollama, slot 0) holds in its KV cache. */
  slotPrompts: number[][] = [];
  /** llama.cpp: slots holding a request right now, and when each was last given one (a sequence number). */
  slotBusy: boolean[] = [];
  slotUsedAt: number[] = [];
  /** Ollama: how long the model stays loaded after a request (the last request's `keep_alive`; default 5 minutes). */
  keepAliveMs = 5 * 60_000;
  /** Ollama: the loaded runner (undefined = nothing loaded). `explicit` = loaded with a request's num_ctx. */
  loaded: { model: string; ctx: number; explicit: boolean } | undefined;
  closing = false;
  private closeWaiters = new Set<() => void>();

  constructor(opts: ResolvedOptions) {
    this.opts = opts;
    if (opts.preloaded && opts.models[0]) this.loaded = { model: opts.models[0], ctx: opts.ctx, explicit: false };
  }

  nextId(): number {
    return ++this.counter;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Takes a slot (waits in FIFO order when all are busy). Returns the release function. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (this.active >= this.opts.slots) {
      await new Promise<void>((resolve, reject) => {
        const go = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          this.waiting = this.waiting.filter((w) => w !== go);
          reject(new Error('aborted while queued'));
        };
        this.waiting.push(go);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.active++;
    }
    this.maxActive = Math.max(this.maxActive, this.active);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next waiter: `active` stays the same
      else this.active--;
    };
  }

  /** Resolves when close() starts (stalled responses wait on this). */
  untilClosed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (this.closing || signal.aborted) return resolve();
      const done = (): void => {
        this.closeWaiters.delete(done);
        resolve();
      };
      this.closeWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  startClosing(): void {
    this.closing = true;
    for (const w of [...this.closeWaiters]) w();
  }

  /** Next scripted reply: queued ones first, then the reply option, then undefined (= canned default). */
  async nextReply(rec: RecordedRequest): Promise<Reply | undefined> {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    const r = this.opts.reply;
    if (r === undefined) return undefined;
    return typeof r === 'function' ? await r(rec) : r;
  }
}

// ---------------------------------------------------------------------------------------------- HTTP helpers

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(.+)$/i.exec(h) : null;
  return m?.[1]?.trim();
}

// ------------------------------------------------------------------------------------------- chat generation

/** A chat request after the flavour's validation: what the model "sees" and how to answer. */
export interface PreparedChat {
  model: string;
  /** Messages as processed (after Ollama's message-level truncation). */
  seen: TemplateMessage[];
  promptTokens: number;
  /** Prompt tokens served from the server's cache: they cost no prompt-processing time. */
  cachedTokens?: number;
  stream: boolean;
  includeUsage: boolean;
  maxTokens?: number;
  /** Generation stops (finish_reason length) when prompt + completion reaches this. */
  ctxLimit?: number;
  thinking: boolean;
  reasoningStyle: ReasoningStyle;
  /** Structured output requested; `schema` undefined = any JSON object. */
  json?: { schema?: JsonSchema };
  /** Forced outcome from the flavour (LM Studio overflow variants, old llama.cpp in-stream error). */
  forced?: { kind: 'emptyStream' } | { kind: 'http200Error'; error: unknown } | { kind: 'inStreamError'; error: unknown };
}

export interface GenEvent {
  kind: 'reasoning' | 'content';
  text: string;
  tokens: number;
}

export interface Generation {
  events: GenEvent[];
  completionTokens: number;
  finishReason: 'stop' | 'length';
  fault?: Fault;
  delayMs: number;
}

/** Turns the reply (scripted or canned) into timed token events, honouring max_tokens and the context limit. */
export function planGeneration(state: ServerState, p: PreparedChat, reply: Reply | undefined): Generation {
  const r = typeof reply === 'string' ? { text: reply } : (reply ?? {});
  let contentPieces: Array<{ text: string; tokens: number }>;
  if (r.chunks) {
    contentPieces = r.chunks.map((c) => ({ text: c, tokens: Math.max(1, countTokens(c)) }));
  } else {
    let text = r.text;
    if (text === undefined) {
      text = p.json
        ? JSON.stringify(jsonForSchema(p.json.schema, p.seen), null, 2)
        : cannedMarkdown(p.seen, state.opts.flavour, p.promptTokens);
    }
    contentPieces = tokenPieces(text).map((t) => ({ text: t, tokens: 1 }));
  }
  const events: GenEvent[] = [];
  if (p.thinking) {
    const reasoning = r.reasoning ?? cannedReasoning(p.seen);
    if (p.reasoningStyle === 'inline-think') {
      for (const t of tokenPieces(`<think>\n${reasoning}\n</think>\n\n`)) events.push({ kind: 'content', text: t, tokens: 1 });
    } else {
      for (const t of tokenPieces(reasoning)) events.push({ kind: 'reasoning', text: t, tokens: 1 });
    }
  }
  for (const c of contentPieces) events.push({ kind: 'content', ...c });

  let budget = Infinity;
  if (p.maxTokens !== undefined) budget = Math.min(budget, p.maxTokens);
  if (p.ctxLimit !== undefined) budget = Math.min(budget, Math.max(0, p.ctxLimit - p.promptTokens));
  let used = 0;
  let cut = events.length;
  for (let i = 0; i < events.length; i++) {
    if (used + (events[i] as GenEvent).tokens > budget) {
      cut = i;
      break;
    }
    used += (events[i] as GenEvent).tokens;
  }
  const truncated = cut < events.length;
  return {
    events: events.slice(0, cut),
    completionTokens: used,
    finishReason: r.finishReason ?? (truncated ? 'length' : 'stop'),
    fault: r.fault,
    delayMs: r.delayMs ?? 0,
  };
}

export function prefillMs(state: ServerState, promptTokens: number): number {
  return (promptTokens / state.opts.prefillTokensPerSecond) * 1000;
}

/** Prompt tokens the server has to evaluate (the cached prefix is free). */
export function evaluatedTokens(p: PreparedChat): number {
  return p.promptTokens - (p.cachedTokens ?? 0);
}

/** Length of the common prefix of two token id sequences. */
export function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * A cache serves the common prefix but always evaluates at least the last prompt token (llama.cpp: the same prompt
 * again gives prompt_n 1, cache_n n-1).
 */
export function reusable(cached: readonly number[], prompt: readonly number[]): number {
  return Math.max(0, Math.min(commonPrefix(cached, prompt), prompt.length - 1));
}

/** Emits events paced by the throughput model; returns false when the client went away. */
export async function paced<T>(
  state: ServerState,
  items: T[],
  tokensOf: (t: T) => number,
  start: number,
  signal: AbortSignal,
  emit: (t: T) => void,
): Promise<boolean> {
  let cum = 0;
  let sinceYield = 0;
  for (const item of items) {
    cum += tokensOf(item);
    const due = start + (cum / state.opts.tokensPerSecond) * 1000;
    const wait = due - performance.now();
    if (wait >= 1) {
      await sleep(wait, signal);
      sinceYield = 0;
    } else if (++sinceYield >= 32) {
      // Let other slots and the client progress even when far ahead of schedule.
      await new Promise((r) => setImmediate(r));
      sinceYield = 0;
    }
    if (signal.aborted) return false;
    emit(item);
  }
  return !signal.aborted;
}

export function completionTimeMs(state: ServerState, tokens: number): number {
  return (tokens / state.opts.tokensPerSecond) * 1000;
}
