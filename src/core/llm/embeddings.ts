/**
 * Embeddings from the user's model server, for the library's vectors. The embedding model is found like the chat
 * model (detected server, its model list, the setting `library.embeddingModel`: empty = pick one, `off` = none),
 * its real input limit is read from the server, and every input is cut to that limit before it is sent: a server
 * either fails on an over-long input or silently embeds only its start.
 */
import type { AssistantConfig } from '../config';
import { AssistantError, throwIfAborted } from '../errors';
import type { Embedder } from '../library/types';
import { nullLogger, type Logger } from '../ports/logger';
import { classifyFacts, errorFactsFromBody, isRetryable, toAssistantError } from './classify';
import { dialectFor } from './dialects';
import type { DetectedServer, EmbeddingDialect, EmbeddingModelEntry } from './dialects/dialect';
import { detectServer } from './discovery';
import { asArray, asRecord, parseJsonOrUndefined, sleep, timeoutSignal, type FetchLike, type Http } from './http';
import { estimateTokens } from './tokens';

export type { Embedder } from '../library/types';

/** The setting value that turns vectors off. */
export const EMBEDDING_OFF = 'off';
/**
 * Upper bound of one input whatever the model takes: library passages are a few hundred tokens, longer inputs
 * make blurrier vectors, and some servers embed only a prefix of long inputs whatever their context says.
 */
export const EMBEDDING_INPUT_CAP = 2048;
/** A server that does not say how long an input may be is assumed to take this much (BERT-style models). */
export const EMBEDDING_FALLBACK_CONTEXT = 512;
/** Our token estimate is calibrated on Qwen3's tokenizer; an embedder's own (WordPiece, SentencePiece) differs. */
const LIMIT_SHARE = 0.9;
/** Special tokens the server adds around an input (BOS/EOS, CLS/SEP). */
const SPECIAL_TOKENS = 8;
/** Inputs per request, and their estimated tokens together: small enough for any server's batch limits. */
export const BATCH_INPUTS = 16;
const BATCH_TOKENS = 16384;
/** How long the embedding model stays loaded on Ollama between a build's requests. */
const KEEP_ALIVE = '30m';
const PROBE_TEXT = 'dimension probe';
/** Names of embedding models, for servers whose listing does not say which models embed. */
const EMBEDDING_NAME = /embed|(^|[-_/:.])(bge|e5|gte|minilm|mpnet)([-_/:.]|$)|arctic|paraphrase|jina/i;
/** Preference among several embedding models: multilingual ones first (notes and papers are often Chinese). */
const PREFERENCE: readonly (readonly [RegExp, number])[] = [
  [/qwen3[-_]?embedding/i, 10],
  [/bge[-_]?m3/i, 9],
  [/embeddinggemma/i, 8],
  [/arctic[-_]?embed[-_:]?(l[-_]?)?v?2/i, 7],
  [/granite[-_]?embedding/i, 6],
  [/nomic[-_]?embed/i, 5],
  [/mxbai[-_]?embed/i, 4],
  [/arctic[-_]?embed/i, 3],
  [/minilm/i, 1],
];

export interface EmbedderOptions {
  readonly config: AssistantConfig;
  readonly apiKey?: string;
  readonly fetch?: FetchLike;
  readonly logger?: Logger;
  /** Ports `auto` probes (tests pass the fake server's port). */
  readonly ports?: readonly number[];
  readonly probeTimeoutMs?: number;
  /** Retries of connection errors and busy answers (default 3 attempts after the first, 1 s base backoff). */
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number };
}

/**
 * The embedding model on the configured server, ready to embed; undefined when vectors are off or the server
 * offers no embedding model (the library then works lexically). Throws what detection throws (EndpointUnreachable,
 * Auth, Busy, Cancelled), and ModelNotFound when the model named in the setting is not on the server or cannot embed.
 */
export async function connectEmbedder(options: EmbedderOptions, signal: AbortSignal): Promise<Embedder | undefined> {
  const wanted = options.config.embeddingModel.trim();
  if (wanted.toLowerCase() === EMBEDDING_OFF) return undefined;
  const logger = options.logger ?? nullLogger;
  const fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const http: Http = { fetch, apiKey: options.apiKey, signal, timeoutMs: options.probeTimeoutMs ?? 1500, logger };
  const server = await detectServer({
    ...http,
    endpoint: options.config.endpoint,
    allowRemote: options.config.allowRemoteEndpoint,
    ports: options.ports,
  });
  const dialect = dialectFor(server.kind).embeddings;
  const entries = await dialect.listModels(server, http);
  const entry = pickEmbeddingModel(entries, wanted);
  if (!entry) {
    logger.info(`No embedding model on ${server.kind} at ${server.root}: the library searches by words only`);
    return undefined;
  }
  const limit = await embeddingLimit(dialect, server, entry, { ...http, timeoutMs: Math.max(http.timeoutMs, 5000) });
  const send = wireFor(dialect, server, entry.id, limit, {
    fetch,
    apiKey: options.apiKey,
    timeoutMs: options.config.firstTokenTimeoutSeconds * 1000,
  });
  const retry = options.retry ?? { attempts: 3, baseDelayMs: 1000 };
  let dimensions: number;
  try {
    const [probe] = await withRetries(() => send([PROBE_TEXT], signal), retry, logger, signal);
    dimensions = probe?.length ?? 0;
    if (dimensions === 0) throw new AssistantError('BadResponse', `${entry.id} answered an empty vector`);
  } catch (caught) {
    const error = toAssistantError(caught);
    if (error.code === 'Cancelled') throw error;
    if (wanted !== '') {
      throw new AssistantError('ModelNotFound', `${entry.id} on ${server.root} does not compute embeddings: ${error.message}`, {
        cause: error,
        data: { model: entry.id, detail: error.message },
      });
    }
    logger.warn(`Embedding model ${entry.id} on ${server.root} failed (${error.message}): the library searches by words only`);
    return undefined;
  }
  logger.info(`Embeddings: ${entry.id} on ${server.kind} at ${server.root}, ${dimensions} dimensions, inputs up to ${limit} tokens`);
  return new ServerEmbedder(entry.id, dimensions, limit, send, { retry, logger });
}

/**
 * The model named in the setting (exact, case-insensitive, or with `:latest`), else the best embedding model the
 * server lists (by what it says, else by name); undefined when it lists none. Throws ModelNotFound for a named
 * model the server does not have.
 */
export function pickEmbeddingModel(entries: readonly EmbeddingModelEntry[], wanted: string): EmbeddingModelEntry | undefined {
  const w = wanted.trim();
  if (w !== '') {
    const lower = w.toLowerCase();
    const found =
      entries.find((e) => e.id === w) ??
      entries.find((e) => e.id.toLowerCase() === lower) ??
      entries.find((e) => e.id.toLowerCase() === `${lower}:latest`);
    if (!found)
      throw new AssistantError('ModelNotFound', `Embedding model ${w} is not on the server (has: ${entries.map((e) => e.id).join(', ')})`, {
        data: { model: w },
      });
    return found;
  }
  const candidates = entries.filter((e) => e.embedding ?? EMBEDDING_NAME.test(e.id));
  const score = (e: EmbeddingModelEntry): number => PREFERENCE.find(([pattern]) => pattern.test(e.id))?.[1] ?? 2;
  let best: EmbeddingModelEntry | undefined;
  for (const e of candidates) if (best === undefined || score(e) > score(best)) best = e;
  return best;
}

/** The tokens one input may have: what the server says (or a small default), capped, minus our margin. */
async function embeddingLimit(dialect: EmbeddingDialect, server: DetectedServer, entry: EmbeddingModelEntry, http: Http): Promise<number> {
  const reported = entry.contextLength ?? (await dialect.readContext?.(server, entry, http));
  return Math.min(reported && reported > 0 ? reported : EMBEDDING_FALLBACK_CONTEXT, EMBEDDING_INPUT_CAP);
}

/** The largest input we send for a model taking `limit` tokens, by our estimate. */
export function inputBudget(limit: number): number {
  return Math.max(16, Math.floor(limit * LIMIT_SHARE) - SPECIAL_TOKENS);
}

/**
 * A start of `text` whose estimate is within `tokens` (cut at a space when one is near). The estimate is nearly
 * proportional to length, so a few proportional cuts get there (a bisection would estimate many long prefixes).
 */
export function fitToTokens(text: string, tokens: number): string {
  let cut = text;
  let estimate = estimateTokens(cut);
  if (estimate <= tokens) return text;
  while (estimate > tokens && cut.length > 0) {
    cut = cut.slice(0, Math.floor(cut.length * Math.min(0.95, (tokens / estimate) * 0.97)));
    estimate = estimateTokens(cut);
  }
  const space = cut.lastIndexOf(' ');
  return space > cut.length * 0.9 ? cut.slice(0, space) : cut;
}

type Send = (texts: readonly string[], signal: AbortSignal) => Promise<number[][]>;

interface Wire {
  readonly fetch: FetchLike;
  readonly apiKey?: string;
  readonly timeoutMs: number;
}

/** One embedding request in the server's shape; throws a classified AssistantError. */
function wireFor(dialect: EmbeddingDialect, server: DetectedServer, model: string, limit: number, wire: Wire): Send {
  const ollama = dialect.wire === 'ollama';
  const url = ollama ? `${server.root}/api/embed` : `${server.root}/v1/embeddings`;
  return async (texts, signal) => {
    const body = ollama
      ? // num_ctx: the runner's default context may be smaller than the model's; truncate:false: an overflow is an error, not a silent cut.
        { model, input: texts, truncate: false, keep_alive: KEEP_ALIVE, options: { num_ctx: limit } }
      : { model, input: texts, encoding_format: 'float' };
    const json = await postJson(wire, url, body, signal, model);
    const vectors = ollama ? asArray(asRecord(json)?.embeddings) : openAiVectors(json);
    if (vectors.length !== texts.length || !vectors.every((v) => Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
      throw new AssistantError('BadResponse', `${model} answered ${vectors.length} vectors for ${texts.length} inputs`, {
        data: { model, detail: 'a malformed embedding answer' },
      });
    }
    return vectors as number[][];
  };
}

/** `data[]` sorted by `index` (the OpenAI shape does not promise the order). */
function openAiVectors(json: unknown): unknown[] {
  const data = asArray(asRecord(json)?.data).map(asRecord);
  return [...data].sort((a, b) => Number(a?.index ?? 0) - Number(b?.index ?? 0)).map((d) => d?.embedding);
}

async function postJson(wire: Wire, url: string, body: unknown, signal: AbortSignal, model: string): Promise<unknown> {
  throwIfAborted(signal);
  const t = timeoutSignal(signal, wire.timeoutMs);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (wire.apiKey) headers.authorization = `Bearer ${wire.apiKey}`;
  try {
    const response = await wire.fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: t.signal });
    const text = await response.text();
    const json = parseJsonOrUndefined(text);
    // LM Studio answers some failures with HTTP 200 and an error body.
    if (!response.ok || asRecord(json)?.error !== undefined) {
      throw classifyFacts(errorFactsFromBody(response.status, json, text), { endpoint: url, model });
    }
    return json;
  } catch (caught) {
    if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled', { cause: caught });
    if (t.timedOut())
      throw new AssistantError('Timeout', `No embedding answer within ${wire.timeoutMs / 1000} s`, { data: { endpoint: url, model } });
    throw toAssistantError(caught, { endpoint: url, model });
  } finally {
    t.dispose();
  }
}

async function withRetries<T>(
  attempt: () => Promise<T>,
  retry: { readonly attempts: number; readonly baseDelayMs: number },
  logger: Logger,
  signal: AbortSignal,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (caught) {
      const error = toAssistantError(caught);
      if (!isRetryable(error) || n >= retry.attempts || signal.aborted) throw error;
      const delay = retry.baseDelayMs * 2 ** n;
      logger.warn(`${error.message}; retry ${n + 1}/${retry.attempts} in ${delay} ms`);
      await sleep(delay, signal);
    }
  }
}

/**
 * Embeds in batches, every input cut to the model's limit first. Connection errors and busy answers are retried
 * with backoff; a context error (our estimate was too generous for this tokenizer) splits a batch into single
 * inputs, and an input the server still refuses is cut to half once more; the lower limit then holds for
 * everything after it.
 */
export class ServerEmbedder implements Embedder {
  private budget: number;

  constructor(
    readonly model: string,
    readonly dimensions: number,
    readonly maxInputTokens: number,
    private readonly send: Send,
    private readonly options: { readonly retry: { readonly attempts: number; readonly baseDelayMs: number }; readonly logger: Logger },
  ) {
    this.budget = inputBudget(maxInputTokens);
  }

  async embed(texts: readonly string[], signal: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = new Array<Float32Array>(texts.length);
    let batch: number[] = [];
    let batchTokens = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const indexes = batch;
      batch = [];
      batchTokens = 0;
      const vectors = await this.embedBatch(
        indexes.map((i) => texts[i] ?? ''),
        signal,
      );
      indexes.forEach((i, k) => (out[i] = vectors[k] as Float32Array));
    };
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i] ?? '';
      // A blank input has no meaning to embed (and some servers refuse it): a zero vector matches nothing.
      if (text.trim() === '') {
        out[i] = new Float32Array(this.dimensions);
        continue;
      }
      const tokens = Math.min(estimateTokens(text), this.budget);
      if (batch.length >= BATCH_INPUTS || (batch.length > 0 && batchTokens + tokens > BATCH_TOKENS)) await flush();
      batch.push(i);
      batchTokens += tokens;
    }
    await flush();
    return out;
  }

  private async embedBatch(texts: readonly string[], signal: AbortSignal): Promise<Float32Array[]> {
    const fitted = texts.map((t) => fitToTokens(t, this.budget));
    try {
      return this.toVectors(await withRetries(() => this.send(fitted, signal), this.options.retry, this.options.logger, signal));
    } catch (caught) {
      const error = toAssistantError(caught);
      if (error.code !== 'ContextTooLarge') throw error;
      if (fitted.length > 1) {
        // Which input was too long (or whether the server counts the batch together) is unknown: one by one.
        const single: Float32Array[] = [];
        for (const text of fitted) single.push(...(await this.embedOne(text, signal)));
        return single;
      }
      return this.embedOne(fitted[0] ?? '', signal, error);
    }
  }

  /** One input; after a context error, cut to half its estimate (or to what the server reported) and tried once more. */
  private async embedOne(text: string, signal: AbortSignal, refused?: AssistantError): Promise<Float32Array[]> {
    let input = text;
    if (refused === undefined) {
      try {
        return this.toVectors(await withRetries(() => this.send([input], signal), this.options.retry, this.options.logger, signal));
      } catch (caught) {
        const error = toAssistantError(caught);
        if (error.code !== 'ContextTooLarge') throw error;
        refused = error;
      }
    }
    const reported = typeof refused.data.contextLength === 'number' ? inputBudget(refused.data.contextLength) : undefined;
    const lowered = Math.max(16, Math.min(reported ?? Number.POSITIVE_INFINITY, Math.floor(estimateTokens(input) / 2)));
    this.budget = Math.min(this.budget, lowered);
    this.options.logger.warn(
      `${this.model} refused an input as too long (${refused.message}); inputs are now cut to ≈${this.budget} tokens`,
    );
    input = fitToTokens(input, this.budget);
    return this.toVectors(await withRetries(() => this.send([input], signal), this.options.retry, this.options.logger, signal));
  }

  private toVectors(vectors: readonly number[][]): Float32Array[] {
    return vectors.map((v) => {
      if (v.length !== this.dimensions)
        throw new AssistantError('BadResponse', `${this.model} answered a vector of ${v.length} dimensions instead of ${this.dimensions}`, {
          data: { model: this.model, detail: 'vectors of a different length' },
        });
      return Float32Array.from(v);
    });
  }
}
