import { AssistantError, throwIfAborted } from '../errors';
import type { Logger } from '../ports/logger';
import { autoRoots, parseEndpoint } from './endpoint';
import { asArray, asNumber, asRecord, asString, request, type FetchLike, type HttpResult } from './http';
import { errorFactsFromBody, classifyFacts } from './classify';
import type { ServerKind } from './types';

/** A server found by detection, with what the probes already read (so listing does not ask again). */
export interface DetectedServer {
  readonly kind: ServerKind;
  readonly root: string;
  readonly version?: string;
  /** llama.cpp `/props` body. */
  readonly props?: Record<string, unknown>;
}

export interface Http {
  readonly fetch: FetchLike;
  readonly apiKey?: string;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

export interface DetectOptions extends Http {
  readonly endpoint: string;
  readonly allowRemote: boolean;
  /** Ports `auto` probes (tests pass the fake server's port). */
  readonly ports?: readonly number[];
}

const get = (http: Http, url: string): Promise<HttpResult | undefined> =>
  request(url, { fetch: http.fetch, apiKey: http.apiKey, signal: http.signal, timeoutMs: http.timeoutMs });
const post = (http: Http, url: string, body: unknown, timeoutMs = http.timeoutMs): Promise<HttpResult | undefined> =>
  request(url, { fetch: http.fetch, apiKey: http.apiKey, signal: http.signal, timeoutMs, body });

type Fingerprint = DetectedServer | 'no-answer' | 'not-llm' | { loading: string };

const LMSTUDIO_UNKNOWN = /Unexpected endpoint or method/i;

/**
 * SERVERS.md §7: never trust one 200 (LM Studio answers 200 to every path; llama.cpp serves Ollama-style
 * /api/tags and /api/show), so each kind is recognised by a body only it produces.
 */
export async function fingerprint(root: string, http: Http): Promise<Fingerprint> {
  const version = await get(http, `${root}/api/version`);
  if (version === undefined) return 'no-answer';
  const vBody = asRecord(version.json);
  if (version.status === 200 && vBody && typeof vBody.version === 'string' && !('error' in vBody)) {
    return { kind: 'ollama', root, version: vBody.version };
  }
  if (LMSTUDIO_UNKNOWN.test(asString(vBody?.error) ?? '')) return { kind: 'lmstudio', root };
  const lm = await get(http, `${root}/api/v0/models`);
  const lmBody = asRecord(lm?.json);
  if (lm?.status === 200 && lmBody) {
    const first = asRecord(asArray(lmBody.data)[0]);
    if ((first && ('state' in first || 'max_context_length' in first)) || LMSTUDIO_UNKNOWN.test(asString(lmBody.error) ?? ''))
      return { kind: 'lmstudio', root };
  }
  const props = await get(http, `${root}/props`);
  const propsBody = asRecord(props?.json);
  if (props?.status === 200 && propsBody && asRecord(propsBody.default_generation_settings)) {
    return { kind: 'llamacpp', root, version: asString(propsBody.build_info), props: propsBody };
  }
  if (props?.status === 503 && /unavailable_error|Loading model/i.test(props.text)) return { loading: 'llama.cpp server' };
  const vllmVersion = await get(http, `${root}/version`);
  const vllmBody = asRecord(vllmVersion?.json);
  const models = await get(http, `${root}/v1/models`);
  const modelsBody = asRecord(models?.json);
  const firstModel = asRecord(asArray(modelsBody?.data)[0]);
  const ownedBy = asString(firstModel?.owned_by);
  if (vllmVersion?.status === 200 && typeof vllmBody?.version === 'string' && (ownedBy === 'vllm' || models?.status === 401)) {
    return { kind: 'vllm', root, version: vllmBody.version };
  }
  if (models?.status === 200 && modelsBody) {
    if (ownedBy === 'vllm' || (firstModel && 'max_model_len' in firstModel)) return { kind: 'vllm', root };
    if (ownedBy === 'llamacpp' || asRecord(firstModel?.meta) || Array.isArray(modelsBody.models)) return { kind: 'llamacpp', root };
    if (ownedBy === 'organization_owner') return { kind: 'lmstudio', root };
    if (Array.isArray(modelsBody.data) || modelsBody.data === null) return { kind: 'openai-compatible', root };
  }
  if (models?.status === 401) return { kind: 'openai-compatible', root };
  return 'not-llm';
}

/**
 * Finds the server: `auto` probes 127.0.0.1 on the default ports in parallel and takes the first (in port
 * order) that fingerprints as a model server; an explicit URL is tried as given (`localhost` as 127.0.0.1, then ::1).
 */
export async function detectServer(options: DetectOptions): Promise<DetectedServer> {
  const auto = options.endpoint.trim() === '' || options.endpoint.trim().toLowerCase() === 'auto';
  const roots = auto ? autoRoots(options.ports) : parseEndpoint(options.endpoint, options.allowRemote).roots;
  const results: Fingerprint[] = auto ? await Promise.all(roots.map((r) => fingerprint(r, options))) : await sequential(roots, options);
  throwIfAborted(options.signal);
  for (const [i, r] of results.entries()) {
    options.logger.debug(`probe ${roots[i] ?? ''}: ${typeof r === 'string' ? r : 'loading' in r ? 'loading' : r.kind}`);
  }
  const found = results.find((r): r is DetectedServer => typeof r === 'object' && 'kind' in r);
  if (found) return found;
  const loading = results.find((r): r is { loading: string } => typeof r === 'object' && 'loading' in r);
  if (loading) throw new AssistantError('Busy', `${loading.loading} is still loading the model`, { data: { detail: 'loading the model' } });
  const probed = roots.join(', ');
  if (results.includes('not-llm')) {
    throw new AssistantError('EndpointUnreachable', `Something answered at ${probed} but it is not an OpenAI-compatible model server`, {
      data: { probed, detail: 'not a model server' },
    });
  }
  throw new AssistantError('EndpointUnreachable', `No model server answered at ${probed}`, { data: { probed } });
}

async function sequential(roots: readonly string[], http: Http): Promise<Fingerprint[]> {
  const out: Fingerprint[] = [];
  for (const root of roots) {
    const r = await fingerprint(root, http);
    out.push(r);
    if (r !== 'no-answer') break;
  }
  return out;
}

export interface ModelEntry {
  readonly id: string;
  /** Loaded in memory now (LM Studio, Ollama), when the server says. */
  readonly loaded?: boolean;
  /** Usable context if the listing reports it (vLLM max_model_len, LM Studio loaded_context_length). */
  readonly contextLength?: number;
}

/** Throws the classified error for a failed listing (401, 404…) or Unreachable when nothing answered. */
function listingError(result: HttpResult | undefined, url: string): AssistantError {
  if (result === undefined) return new AssistantError('EndpointUnreachable', `No answer from ${url}`, { data: { probed: url } });
  return classifyFacts(errorFactsFromBody(result.status, result.json, result.text), { endpoint: url });
}

async function openAiModelList(server: DetectedServer, http: Http): Promise<Record<string, unknown>[]> {
  const url = `${server.root}/v1/models`;
  const result = await get(http, url);
  const body = asRecord(result?.json);
  if (result?.status !== 200 || !body || 'error' in body) throw listingError(result, url);
  return asArray(body.data)
    .map(asRecord)
    .filter((m): m is Record<string, unknown> => m !== undefined);
}

/** Chat-capable models on the server (embedding models left out). Throws NoModels for an empty list. */
export async function listModels(server: DetectedServer, http: Http): Promise<ModelEntry[]> {
  let entries: ModelEntry[] = [];
  switch (server.kind) {
    case 'ollama': {
      const tags = await get(http, `${server.root}/api/tags`);
      const ps = await get(http, `${server.root}/api/ps`);
      if (tags?.status !== 200) throw listingError(tags, `${server.root}/api/tags`);
      const loaded = new Set(asArray(asRecord(ps?.json)?.models).map((m) => asString(asRecord(m)?.name)));
      entries = asArray(asRecord(tags.json)?.models)
        .map(asRecord)
        .flatMap((m) => {
          const id = asString(m?.name) ?? asString(m?.model);
          const family = `${asString(asRecord(m?.details)?.family) ?? ''} ${JSON.stringify(asRecord(m?.details)?.families ?? '')}`;
          if (!id || /embed/i.test(id) || /bert/i.test(family)) return [];
          return [{ id, loaded: loaded.has(id) }];
        });
      break;
    }
    case 'lmstudio': {
      const v0 = await get(http, `${server.root}/api/v0/models`);
      const data = asArray(asRecord(v0?.json)?.data).map(asRecord);
      if (v0?.status === 200 && data.length > 0) {
        entries = data.flatMap((m) => {
          const id = asString(m?.id);
          if (!id || m?.type === 'embeddings') return [];
          return [{ id, loaded: m?.state === 'loaded', contextLength: asNumber(m?.loaded_context_length) }];
        });
      } else {
        entries = (await openAiModelList(server, http)).flatMap((m) => (asString(m.id) ? [{ id: String(m.id) }] : []));
      }
      break;
    }
    case 'vllm':
      entries = (await openAiModelList(server, http)).flatMap((m) =>
        asString(m.id) ? [{ id: String(m.id), loaded: true, contextLength: asNumber(m.max_model_len) }] : [],
      );
      break;
    case 'llamacpp':
    case 'openai-compatible':
      entries = (await openAiModelList(server, http)).flatMap((m) => {
        const id = asString(m.id);
        if (!id || /embed/i.test(id)) return [];
        const meta = asRecord(m.meta);
        return [{ id, loaded: true, contextLength: asNumber(meta?.n_ctx) }];
      });
      break;
  }
  if (entries.length === 0)
    throw new AssistantError('NoModels', `${server.kind} at ${server.root} lists no chat models`, { data: { endpoint: server.root } });
  return entries;
}

/**
 * The configured model when set (must exist), else the best default: a Qwen3 instruct model, loaded ones first
 * (LM Studio/Ollama would otherwise load another model on first use), thinking-only models last.
 */
export function pickModel(entries: readonly ModelEntry[], wanted: string): ModelEntry {
  if (wanted.trim() !== '') {
    const w = wanted.trim();
    const found =
      entries.find((e) => e.id === w) ??
      entries.find((e) => e.id.toLowerCase() === w.toLowerCase()) ??
      entries.find((e) => e.id.toLowerCase() === `${w.toLowerCase()}:latest`);
    if (!found)
      throw new AssistantError('ModelNotFound', `Model ${w} is not on the server (has: ${entries.map((e) => e.id).join(', ')})`, {
        data: { model: w },
      });
    return found;
  }
  const score = (e: ModelEntry): number => {
    const id = e.id.toLowerCase();
    let s = 0;
    if (/qwen3/.test(id)) s += 8;
    else if (/qwen/.test(id)) s += 4;
    if (/instruct/.test(id)) s += 4;
    if (/thinking|[-_]r1\b|qwq/.test(id)) s -= 6;
    if (/coder|vl\b|embed|rerank/.test(id)) s -= 3;
    if (e.loaded === true) s += 2;
    return s;
  };
  let best = entries[0];
  if (best === undefined) throw new AssistantError('NoModels', 'The server lists no models');
  for (const e of entries) if (score(e) > score(best)) best = e;
  return best;
}

export interface ModelFacts {
  readonly contextLength: number;
  readonly contextSource: 'server' | 'override' | 'default';
  readonly parallelSlots: number;
  /** Ollama: the trained context from /api/show (upper bound for num_ctx). */
  readonly trainedContext?: number;
  /** Hybrid model that thinks unless told not to (Ollama `capabilities` contains "thinking"). */
  readonly thinking: boolean;
  /** Problems worth a log line and a status-bar hint. */
  readonly notes: readonly string[];
}

/** Conservative context for servers that do not say (generic OpenAI-compatible, LM Studio model not loaded). */
export const FALLBACK_CONTEXT = 4096;
/**
 * Ollama: upper bound for the `num_ctx` we request when the user sets no override. The KV cache of a 4B model at
 * 32k tokens is ≈ 4.5 GB; larger values risk a load OOM on common GPUs, and notes rarely need more.
 */
export const OLLAMA_CONTEXT_CAP = 32768;

/** Usable context per server (SERVERS.md §8). `override` (the contextLength setting, 0 = none) wins. */
export async function readModelFacts(server: DetectedServer, model: ModelEntry, override: number, http: Http): Promise<ModelFacts> {
  const notes: string[] = [];
  let context: number | undefined;
  let slots = 1;
  let trained: number | undefined;
  let thinking = false;
  switch (server.kind) {
    case 'ollama': {
      const show = await post(http, `${server.root}/api/show`, { model: model.id });
      const body = asRecord(show?.json);
      if (show?.status === 404)
        throw new AssistantError('ModelNotFound', `Ollama does not know ${model.id}`, { data: { model: model.id } });
      const info = asRecord(body?.model_info);
      const arch = asString(info?.['general.architecture']);
      trained =
        asNumber(info?.[`${arch ?? ''}.context_length`]) ??
        (Object.entries(info ?? {}).find(([k]) => k.endsWith('.context_length'))?.[1] as number | undefined);
      thinking = asArray(body?.capabilities).includes('thinking');
      // We choose num_ctx per request on the native API (see session.ts), so the usable context is ours to set.
      context = Math.min(trained ?? OLLAMA_CONTEXT_CAP, OLLAMA_CONTEXT_CAP);
      break;
    }
    case 'lmstudio': {
      const v1 = await get(http, `${server.root}/api/v1/models`);
      const entry = asArray(asRecord(v1?.json)?.models)
        .map(asRecord)
        .find((m) => m?.key === model.id || asArray(m?.loaded_instances).some((i) => asRecord(i)?.id === model.id));
      const instance = asRecord(asArray(entry?.loaded_instances)[0]);
      context = asNumber(asRecord(instance?.config)?.context_length) ?? model.contextLength;
      slots = asNumber(asRecord(instance?.config)?.parallel) ?? 1;
      if (context === undefined) notes.push(`LM Studio has not loaded ${model.id}; its context is unknown until it is loaded`);
      break;
    }
    case 'vllm':
      context = model.contextLength;
      // vLLM batches continuously; 4 parallel requests is a safe default for map-reduce.
      slots = 4;
      break;
    case 'llamacpp': {
      let props = server.props;
      let gen = asRecord(props?.default_generation_settings);
      if (!asNumber(gen?.n_ctx)) {
        // Router mode: a bare /props is a placeholder with n_ctx 0.
        const r = await get(http, `${server.root}/props?model=${encodeURIComponent(model.id)}`);
        props = asRecord(r?.json) ?? props;
        gen = asRecord(props?.default_generation_settings);
      }
      context = asNumber(gen?.n_ctx) || model.contextLength;
      slots = asNumber(props?.total_slots) ?? 1;
      break;
    }
    case 'openai-compatible':
      notes.push('unknown server kind: set researchAssistant.contextLength to its real context size');
      break;
  }
  if (override > 0) {
    const bounded = trained !== undefined ? Math.min(override, trained) : override;
    return {
      contextLength: bounded,
      contextSource: 'override',
      parallelSlots: Math.max(1, slots),
      trainedContext: trained,
      thinking,
      notes,
    };
  }
  if (context === undefined || context <= 0) {
    return {
      contextLength: FALLBACK_CONTEXT,
      contextSource: 'default',
      parallelSlots: Math.max(1, slots),
      trainedContext: trained,
      thinking,
      notes,
    };
  }
  return { contextLength: context, contextSource: 'server', parallelSlots: Math.max(1, slots), trainedContext: trained, thinking, notes };
}
