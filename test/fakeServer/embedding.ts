/**
 * Embeddings for every fake flavour: deterministic vectors that carry meaning (texts sharing words are close), the
 * OpenAI `/v1/embeddings` shape, and the input-size check each server applies. No model runs.
 *
 * A vector is a hashed bag of features projected into `embeddingDimensions` and L2-normalised: every Latin word
 * (lower-cased, letters and digits) is a feature, and so are CJK characters and pairs of neighbouring CJK
 * characters (Chinese has no spaces, and pairs are roughly its words). Each feature adds ±1 to one dimension
 * chosen by a hash; the sign comes from a second hash so unrelated features cancel out on average.
 */
import { sendJson } from './engine';
import type { HandlerArgs } from './handler';
import { countTokens } from './tokenizer';

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD = /[\p{L}\p{N}]+/gu;

function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The features a text is made of: Latin words, CJK characters and CJK character pairs. */
export function embeddingFeatures(text: string): string[] {
  const features: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0];
    if (!CJK.test(word)) {
      features.push(word);
      continue;
    }
    // A run mixing CJK and Latin: CJK characters one by one and in pairs, Latin parts as words.
    const chars = [...word];
    let latin = '';
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (!CJK.test(c)) {
        latin += c;
        continue;
      }
      if (latin) features.push(latin);
      latin = '';
      features.push(c);
      const next = chars[i + 1];
      if (next !== undefined && CJK.test(next)) features.push(c + next);
    }
    if (latin) features.push(latin);
  }
  return features;
}

/** The fake embedding of a text: deterministic, L2-normalised (all zeros for a text without features). */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const feature of embeddingFeatures(text)) {
    const index = fnv1a(feature, 0x811c9dc5) % dimensions;
    const sign = fnv1a(feature, 0x9e3779b9) & 1 ? 1 : -1;
    vector[index] = (vector[index] ?? 0) + sign;
  }
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

/** Cosine similarity of two vectors of the same length. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The `input` of an embedding request as a list of strings; undefined when it is neither a string nor strings. */
export function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((i) => typeof i === 'string')) return input as string[];
  return undefined;
}

/** Tokens of one embedding input as the fake counts them (the fake tokenizer, no special tokens). */
export function embeddingTokens(text: string): number {
  return countTokens(text);
}

/** The first `limit` tokens of a text (whole pieces of the fake tokenizer). */
export function truncateToTokens(text: string, limit: number): string {
  if (countTokens(text) <= limit) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (countTokens(text.slice(0, mid)) <= limit) low = mid;
    else high = mid - 1;
  }
  return text.slice(0, low);
}

/** What a flavour says when an OpenAI-shape embedding request is refused: status and body, exactly as the server. */
export interface EmbeddingRefusal {
  readonly status: number;
  readonly body: unknown;
}

export interface OpenAiEmbeddingRules {
  /** The model named in the request, as this server resolves it; a refusal when it cannot serve embeddings with it. */
  resolveModel(name: unknown): { model: string } | EmbeddingRefusal;
  /** The largest input in tokens the model takes. */
  readonly limit: number;
  /** The refusal for an input longer than the limit; undefined: the server cuts it silently (Ollama's `/v1`). */
  tooLong(tokens: number, limit: number): EmbeddingRefusal | undefined;
}

/**
 * `POST /v1/embeddings` in the OpenAI shape: `{object:"list", data:[{object:"embedding", index, embedding}], model,
 * usage:{prompt_tokens, total_tokens}}`. `encoding_format: "base64"` is answered as float32 little-endian base64.
 */
export function answerOpenAiEmbeddings(args: HandlerArgs, rules: OpenAiEmbeddingRules): void {
  const { state, rec, res } = args;
  const body = (args.body ?? {}) as { model?: unknown; input?: unknown; encoding_format?: unknown; dimensions?: unknown };
  const refuse = (r: EmbeddingRefusal): void => {
    rec.status = r.status;
    sendJson(res, r.status, r.body);
  };
  const resolved = rules.resolveModel(body.model);
  if ('status' in resolved) return refuse(resolved);
  const inputs = embeddingInputs(body.input);
  if (inputs === undefined || inputs.length === 0) {
    return refuse({
      status: 400,
      body: { error: { message: "'input' must be a string or an array of strings", type: 'invalid_request_error' } },
    });
  }
  const tokens = inputs.map(embeddingTokens);
  rec.embeddingInputs = inputs.length;
  rec.promptTokens = tokens.reduce((s, t) => s + t, 0);
  const longest = Math.max(...tokens);
  let texts = inputs;
  if (longest > rules.limit) {
    const refusal = rules.tooLong(longest, rules.limit);
    if (refusal) return refuse(refusal);
    texts = inputs.map((t) => truncateToTokens(t, rules.limit));
    rec.originalPromptTokens = rec.promptTokens;
    rec.promptTokens = texts.reduce((s, t) => s + embeddingTokens(t), 0);
  }
  const dims = state.opts.embeddingDimensions;
  const wanted = typeof body.dimensions === 'number' && body.dimensions > 0 && body.dimensions < dims ? body.dimensions : dims;
  const base64 = body.encoding_format === 'base64';
  const data = texts.map((text, index) => {
    const vector = renormalised(fakeEmbedding(text, dims).slice(0, wanted));
    return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
  });
  rec.status = 200;
  sendJson(res, 200, {
    object: 'list',
    data,
    model: resolved.model,
    usage: { prompt_tokens: rec.promptTokens, total_tokens: rec.promptTokens },
  });
}

/** L2-normalises again after `dimensions` cut a vector short (what Ollama and OpenAI do). */
export function renormalised(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  return norm === 0 ? vector : vector.map((v) => v / norm);
}
