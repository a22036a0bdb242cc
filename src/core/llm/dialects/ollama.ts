import { AssistantError } from '../../errors';
import { classifyFacts, errorFactsFromBody, toAssistantError } from '../classify';
import { asArray, asNumber, asRecord, asString, httpGet, httpPost, parseJsonOrUndefined, type Http } from '../http';
import type { ChatRequest } from '../types';
import type { ChatContext, ChatEvent, ChatTransport, DetectedServer, ModelEntry, Probes, ServerContext, ServerDialect } from './dialect';
import { ollamaEmbeddings } from './embeddingListing';
import { listingError } from './listing';

/**
 * Upper bound for the `num_ctx` we request when the user sets no override. The KV cache of a 4B model at
 * 32k tokens is ≈ 4.5 GB; larger values risk a load OOM on common GPUs, and notes rarely need more.
 */
export const OLLAMA_CONTEXT_CAP = 32768;
/** `truncate:false` (an overflow becomes an error instead of a silent cut) exists from this version on. */
const TRUNCATE_FALSE_SINCE = [0, 12, 4] as const;
/** num_ctx grows in these steps, so a slightly longer prompt does not reload the model. */
const NUM_CTX_STEP = 8192;
/**
 * The smallest num_ctx we load with: one paper plus a question usually fits, so a session rarely has to grow it
 * (each growth is a reload). Bounded by the usable context like every other choice.
 */
const NUM_CTX_FLOOR = 16384;
/** How long the model stays loaded after a request: long enough to read an answer and ask the next question. */
export const SESSION_KEEP_ALIVE = '30m';

/**
 * Ollama. Chat goes through the native `/api/chat`, not `/v1`: `/v1` ignores `num_ctx` and silently cuts the front of
 * any prompt longer than the loaded context (often 4096). Natively we choose `options.num_ctx` per request, so the
 * usable context is ours to set (bounded by the model's trained context and a cap), and `truncate:false` turns an
 * overflow into an error. There is no tokenizer endpoint: prompt sizes are estimates.
 */
export const ollama: ServerDialect = {
  kind: 'ollama',
  displayName: 'Ollama',
  contextAdvice:
    "The extension asks Ollama for the context it needs, up to the model's trained context and the " +
    `"researchAssistant.contextLength" setting (default cap ${OLLAMA_CONTEXT_CAP}). ` +
    'Raise that setting or use a model with a longer context.',
  contextKnownAfterLoad: false,

  async probe(probes: Probes) {
    // `/api/version` with a string version and no `error` key: LM Studio answers 200 with an error to every path.
    const version = await probes.get('/api/version');
    const body = asRecord(version?.json);
    if (version?.status === 200 && body && typeof body.version === 'string' && !('error' in body)) {
      return { kind: 'ollama', root: probes.root, version: body.version };
    }
    return undefined;
  },

  async listModels(server: DetectedServer, http: Http): Promise<ModelEntry[]> {
    const tags = await httpGet(http, `${server.root}/api/tags`);
    const ps = await httpGet(http, `${server.root}/api/ps`);
    if (tags?.status !== 200) throw listingError(tags, `${server.root}/api/tags`);
    const running = new Map(
      asArray(asRecord(ps?.json)?.models).map((m) => [asString(asRecord(m)?.name), asNumber(asRecord(m)?.context_length)]),
    );
    return asArray(asRecord(tags.json)?.models)
      .map(asRecord)
      .flatMap((m) => {
        const id = asString(m?.name) ?? asString(m?.model);
        const family = `${asString(asRecord(m?.details)?.family) ?? ''} ${JSON.stringify(asRecord(m?.details)?.families ?? '')}`;
        if (!id || /embed/i.test(id) || /bert/i.test(family)) return [];
        const loadedContext = running.get(id);
        return [{ id, loaded: running.has(id), ...(loadedContext ? { loadedContext } : {}) }];
      });
  },

  async readContext(server: DetectedServer, model: ModelEntry, http: Http): Promise<ServerContext> {
    const show = await httpPost(http, `${server.root}/api/show`, { model: model.id });
    if (show?.status === 404) throw new AssistantError('ModelNotFound', `Ollama does not know ${model.id}`, { data: { model: model.id } });
    const body = asRecord(show?.json);
    const info = asRecord(body?.model_info);
    const arch = asString(info?.['general.architecture']);
    const trained =
      asNumber(info?.[`${arch ?? ''}.context_length`]) ??
      (Object.entries(info ?? {}).find(([k]) => k.endsWith('.context_length'))?.[1] as number | undefined);
    return {
      // num_ctx is chosen per request, so the usable context is ours to set.
      contextLength: Math.min(trained ?? OLLAMA_CONTEXT_CAP, OLLAMA_CONTEXT_CAP),
      parallelSlots: 1,
      trainedContext: trained,
      thinking: asArray(body?.capabilities).includes('thinking'),
      notes: [],
      // Reusing the loaded runner's context avoids a reload, also when another client (the CLI, an earlier window) loaded it.
      ...(model.loadedContext ? { loadedContext: model.loadedContext } : {}),
    };
  },

  openChat: (context) => new OllamaChat(context),
  embeddings: ollamaEmbeddings,
};

class OllamaChat implements ChatTransport {
  /**
   * The num_ctx we load with: the loaded runner's when it was loaded at connect, else chosen on the first request;
   * it grows only when a prompt does not fit and never shrinks, so requests do not reload the model back and forth.
   */
  private numCtx: number;

  constructor(private readonly context: ChatContext) {
    const loaded = context.facts.loadedContext ?? 0;
    this.numCtx = loaded <= context.info.contextLength ? loaded : 0;
  }

  adaptToRejection(): boolean {
    return false;
  }

  /**
   * `options.num_ctx` is sized to the request (in steps, never shrinking, bounded by the usable context). The
   * caller still compares prompt_eval_count with its estimate afterwards: versions before `truncate` can cut.
   */
  async *events(request: ChatRequest, promptBudget: number, signal: AbortSignal): AsyncGenerator<ChatEvent> {
    const { info, facts, config, logger } = this.context;
    this.numCtx = chooseNumCtx(this.numCtx, promptBudget + request.maxTokens, info.contextLength);
    const body: Record<string, unknown> = {
      model: info.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      keep_alive: SESSION_KEEP_ALIVE,
      options: { num_ctx: this.numCtx, num_predict: request.maxTokens, temperature: request.temperature ?? config.temperature },
    };
    // Only thinking-capable models accept `think`; for the others it is a no-op we do not send.
    if (facts.thinking) body.think = false;
    if (versionAtLeast(info.version, TRUNCATE_FALSE_SINCE)) body.truncate = false;
    if (request.jsonSchema) body.format = request.jsonSchema.schema;
    logger.debug(`Ollama /api/chat num_ctx=${this.numCtx} num_predict=${request.maxTokens}`);
    logger.trace(`POST ${info.baseUrl}/api/chat ${JSON.stringify(body)}`);
    const response = await this.post(body, signal);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) yield* this.parseLine(line);
      }
      pending += decoder.decode();
      yield* this.parseLine(pending);
    } catch (error) {
      if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled', { cause: error });
      throw error;
    } finally {
      reader.cancel().catch(() => undefined);
    }
  }

  private async post(body: Record<string, unknown>, signal: AbortSignal): Promise<Response> {
    const { info } = this.context;
    let response: Response;
    try {
      response = await this.context.fetch(`${info.baseUrl}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled', { cause: error });
      throw toAssistantError(error instanceof TypeError ? error : new TypeError(String(error)), { endpoint: info.baseUrl });
    }
    if (!response.ok || response.body === null) {
      const text = await response.text();
      throw classifyFacts(errorFactsFromBody(response.status, parseJsonOrUndefined(text), text), {
        endpoint: info.baseUrl,
        model: info.model,
      });
    }
    return response;
  }

  /** One NDJSON line. Errors after the first byte arrive as a `{"error":"…"}` line with HTTP 200. */
  private parseLine(line: string): ChatEvent[] {
    if (line.trim() === '') return [];
    const { info } = this.context;
    const record = asRecord(parseJsonOrUndefined(line));
    if (!record)
      throw new AssistantError('BadResponse', `Malformed NDJSON line from Ollama: ${line.slice(0, 120)}`, {
        data: { detail: 'malformed stream data' },
      });
    if (record.error !== undefined)
      throw classifyFacts(errorFactsFromBody(undefined, record), { endpoint: info.baseUrl, model: info.model });
    const out: ChatEvent[] = [];
    if (typeof record.model === 'string') out.push({ type: 'model', model: record.model });
    const message = asRecord(record.message);
    if (typeof message?.thinking === 'string' && message.thinking.length > 0) out.push({ type: 'reasoning' });
    if (typeof message?.content === 'string' && message.content.length > 0) out.push({ type: 'text', text: message.content });
    if (record.done === true) {
      // The native API reports usage on the final line as prompt_eval_count / eval_count.
      const prompt = asNumber(record.prompt_eval_count);
      const completion = asNumber(record.eval_count);
      const promptNs = asNumber(record.prompt_eval_duration);
      const loadNs = asNumber(record.load_duration);
      if (prompt !== undefined || completion !== undefined)
        out.push({
          type: 'usage',
          usage: {
            promptTokens: prompt ?? 0,
            completionTokens: completion ?? 0,
            ...(promptNs !== undefined ? { promptMs: promptNs / 1e6 } : {}),
            ...(loadNs !== undefined ? { loadMs: loadNs / 1e6 } : {}),
          },
        });
      out.push({ type: 'finish', reason: asString(record.done_reason) ?? 'stop' });
    }
    return out;
  }
}

/**
 * The num_ctx for a request needing `needed` tokens (prompt + answer). The current one stays whenever it fits, since
 * any change reloads the model; otherwise it grows to the next step, at least to a floor that holds a typical paper,
 * and never beyond the usable context (an overflow is then the server's to report).
 */
export function chooseNumCtx(current: number, needed: number, usable: number): number {
  if (current >= needed && current <= usable) return current;
  const grown = Math.max(current, NUM_CTX_FLOOR, Math.ceil(needed / NUM_CTX_STEP) * NUM_CTX_STEP);
  return Math.min(usable, grown);
}

/** True when `version` (e.g. "0.12.6") is at least `min` ([0, 12, 4]); false when it cannot be read. */
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
