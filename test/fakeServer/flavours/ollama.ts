/**
 * Ollama flavour: native discovery endpoints, `/v1/chat/completions` with THE context
 * trap (silent front truncation at the loaded num_ctx, shrunken usage.prompt_tokens), and native `/api/chat`
 * (NDJSON, `options.num_ctx` with reloads, `truncate:false` → 400).
 */
import { answerChat, type ChatContext } from '../openaiChat';
import {
  completionTimeMs,
  evaluatedTokens,
  paced,
  planGeneration,
  prefillMs,
  reusable,
  sendJson,
  sendText,
  sleep,
  type PreparedChat,
  type ServerState,
} from '../engine';
import { applyChatTemplate, countPromptTokens, tokenIds, tokenPieces, toTemplateMessages, type TemplateMessage } from '../tokenizer';
import type { HandlerArgs } from '../handler';
import { embeddingShow, embeddingTags, findEmbeddingModel, handleOllamaEmbedding } from './ollamaEmbed';

const DIGEST = 'a383baf4993bed20dd7bbb1fc1e8e0d4b4d4d5d6b3f0a7a4c3b1d2e3f4a5b6c7';
const TOO_LONG =
  'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length';
const NUM_KEEP = 4;
const BUSY = 'server busy, please try again.  maximum pending requests exceeded';

/** OLLAMA_MAX_QUEUE: requests beyond the waiting limit get 503 (sched.go:88). */
function queueFull(state: ServerState): boolean {
  return state.active >= state.opts.slots && state.queued >= state.opts.maxQueue;
}

function withTag(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

function findModel(state: ServerState, name: unknown): string | undefined {
  if (typeof name !== 'string' || !name) return undefined;
  return state.opts.models.find((m) => withTag(m) === withTag(name));
}

function details(): Record<string, unknown> {
  return { parent_model: '', format: 'gguf', family: 'qwen3', families: ['qwen3'], parameter_size: '4.0B', quantization_level: 'Q4_K_M' };
}

/** `/v1` error shape: {"error":{"message","type","param":null,"code":null}} (openai/openai.go:225-238). */
function v1Error(args: HandlerArgs, status: number, message: string): void {
  const type = status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error';
  args.rec.status = status;
  sendJson(args.res, status, { error: { message, type, param: null, code: null } });
}

function nativeError(args: HandlerArgs, status: number, message: string): void {
  args.rec.status = status;
  sendJson(args.res, status, { error: message });
}

/**
 * Ollama's fit: drop the oldest non-system messages (keeping the last), then cut tokens keeping NUM_KEEP head
 * tokens + the tail (≈ ctx/2 in `half` mode, ≥0.30.11; the whole ctx in `full` mode, <0.30.0).
 */
export function ollamaFit(
  messages: TemplateMessage[],
  ctx: number,
  mode: 'half' | 'full',
): { seen: TemplateMessage[]; promptTokens: number; originalPromptTokens?: number } {
  const original = countPromptTokens(messages);
  if (original <= ctx) return { seen: messages, promptTokens: original };
  const msgs = [...messages];
  while (countPromptTokens(msgs) > ctx) {
    const idx = msgs.findIndex((m, i) => m.role !== 'system' && i < msgs.length - 1);
    if (idx < 0) break;
    msgs.splice(idx, 1);
  }
  const count = countPromptTokens(msgs);
  if (count <= ctx) return { seen: msgs, promptTokens: count, originalPromptTokens: original };
  const limit = mode === 'half' ? ctx - Math.max(Math.floor((ctx - NUM_KEEP) / 2), 1) : ctx;
  const pieces = tokenPieces(applyChatTemplate(msgs));
  const tail = pieces.slice(pieces.length - (limit - NUM_KEEP)).join('');
  // What the "model" sees: the tail, as text (the canned answer quotes only what survived).
  const seenText = tail.replace(/<\|im_start\|>\w+\n|<\|im_end\|>\n?/g, '\n').trim();
  return { seen: [{ role: 'user', content: seenText }], promptTokens: limit, originalPromptTokens: original };
}

/**
 * Loads the runner with `ctx` (auto = the server's default) unless the loaded one has the same options; a load
 * replacing a loaded runner counts as a reload, takes `loadMs` and empties the runner's prompt cache.
 */
async function ensureLoaded(
  state: ServerState,
  model: string,
  want: { ctx: number; explicit: boolean },
  signal: AbortSignal,
): Promise<void> {
  const l = state.loaded;
  if (l && l.model === model && l.ctx === want.ctx && l.explicit === want.explicit) return;
  if (l) state.reloads++;
  state.loaded = { model, ctx: want.ctx, explicit: want.explicit };
  state.slotPrompts = [];
  await sleep(state.opts.loadMs, signal);
}

/** The runner keeps the previous prompt in its KV cache: the shared prefix is not evaluated again. */
function runnerCache(state: ServerState, seen: readonly TemplateMessage[]): number {
  const ids = tokenIds(applyChatTemplate(seen));
  const cached = reusable(state.slotPrompts[0] ?? [], ids);
  state.slotPrompts[0] = ids;
  return cached;
}

/** `keep_alive` as Ollama reads it: a duration string ("30m", "1h", "90s"), seconds as a number, negative = forever. */
function keepAliveMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value < 0 ? Number.POSITIVE_INFINITY : value * 1000;
  const m = typeof value === 'string' ? /^(-?\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim()) : null;
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n < 0) return Number.POSITIVE_INFINITY;
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

export async function handleOllama(args: HandlerArgs): Promise<void> {
  const { state, req, res, url } = args;
  const path = url.pathname;
  const method = req.method ?? 'GET';

  if ((method === 'GET' || method === 'HEAD') && path === '/') return sendText(res, 200, 'Ollama is running');
  if (method === 'GET' && path === '/api/version') return sendJson(res, 200, { version: state.opts.version });
  if (method === 'GET' && path === '/api/tags') {
    return sendJson(res, 200, {
      models: state.opts.models
        .map((m): Record<string, unknown> => ({
          name: withTag(m),
          model: withTag(m),
          modified_at: '2026-01-01T00:00:00Z',
          size: 2497293918,
          digest: DIGEST,
          details: details(),
        }))
        .concat(embeddingTags(state, DIGEST)),
    });
  }
  if (method === 'POST' && path === '/api/show' && findEmbeddingModel(state, (args.body as { model?: unknown } | undefined)?.model)) {
    return sendJson(res, 200, embeddingShow(state, String((args.body as { model: string }).model)));
  }
  if (method === 'POST' && path === '/api/show') {
    const name =
      (args.body as { model?: unknown; name?: unknown } | undefined)?.model ?? (args.body as { name?: unknown } | undefined)?.name;
    const model = findModel(state, name);
    if (!model) return nativeError(args, 404, `model '${String(name)}' not found`);
    const pad = (k: string): string => k.padEnd(30, ' ');
    return sendJson(res, 200, {
      license: 'Apache License 2.0 (fake)',
      modelfile: `# Modelfile generated by the fake ollama server\nFROM ${model}\n`,
      parameters: [
        `${pad('repeat_penalty')} 1`,
        `${pad('stop')} "<|im_start|>"`,
        `${pad('stop')} "<|im_end|>"`,
        `${pad('temperature')} 0.7`,
        `${pad('top_k')} 20`,
        `${pad('top_p')} 0.8`,
      ].join('\n'),
      template: '{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n',
      details: details(),
      model_info: {
        'general.architecture': 'qwen3',
        'general.parameter_count': 4022468096,
        'qwen3.context_length': state.opts.trainedCtx,
        'qwen3.embedding_length': 2560,
      },
      capabilities: state.opts.thinking ? ['completion', 'tools', 'thinking'] : ['completion', 'tools'],
      modified_at: '2026-01-01T00:00:00Z',
    });
  }
  if (method === 'GET' && path === '/api/ps') {
    const l = state.loaded;
    return sendJson(res, 200, {
      models: l
        ? [
            {
              name: withTag(l.model),
              model: withTag(l.model),
              size: 3600000000,
              digest: DIGEST,
              details: details(),
              expires_at: new Date(Math.min(Date.now() + state.keepAliveMs, 8.64e15)).toISOString(),
              size_vram: 3600000000,
              context_length: l.ctx,
            },
          ]
        : [],
    });
  }
  if (method === 'GET' && path === '/v1/models') {
    const created = Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000);
    const data = [...state.opts.models, ...state.opts.embeddingModels].map((m) => ({
      id: withTag(m),
      object: 'model',
      created,
      owned_by: 'library',
    }));
    // An empty model list is `data: null`, not [] (openai/openai.go:450-471).
    return sendJson(res, 200, { object: 'list', data: data.length > 0 ? data : null });
  }
  if (method === 'GET' && path.startsWith('/v1/models/')) {
    const model = findModel(state, decodeURIComponent(path.slice('/v1/models/'.length)));
    if (!model) return v1Error(args, 404, `model '${decodeURIComponent(path.slice('/v1/models/'.length))}' not found`);
    return sendJson(res, 200, {
      id: withTag(model),
      object: 'model',
      created: Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000),
      owned_by: 'library',
    });
  }
  if (method === 'POST' && path === '/v1/chat/completions') return v1Chat(args);
  if (method === 'POST' && path === '/api/chat') return nativeChat(args);
  if (handleOllamaEmbedding(args)) return;
  return sendText(res, 404, '404 page not found');
}

const EFFORTS = new Set(['low', 'medium', 'high', 'max', 'minimal', 'xhigh', 'ultra']);

async function v1Chat(args: HandlerArgs): Promise<void> {
  const { state, rec, signal } = args;
  if (args.bodyError) return v1Error(args, 400, args.bodyError);
  const body = (args.body ?? {}) as Record<string, unknown>;
  const messages = toTemplateMessages(body['messages']);
  if (messages.length === 0) return v1Error(args, 400, "[] is too short - 'messages'");
  const model = findModel(state, body['model']);
  if (!model) return v1Error(args, 404, `model '${String(body['model'])}' not found`);
  if (queueFull(state)) return v1Error(args, 503, BUSY);

  const effortRaw = body['reasoning_effort'] ?? (body['reasoning'] as { effort?: unknown } | undefined)?.effort;
  let thinking = state.opts.thinking;
  if (effortRaw !== undefined) {
    const effort = String(effortRaw);
    if (effort === 'none') thinking = false;
    else if (!EFFORTS.has(effort))
      return v1Error(args, 400, `invalid reasoning value: '${effort}' (must be "high", "medium", "low", or "none")`);
    else if (!state.opts.thinking) return v1Error(args, 400, `"${model}" does not support thinking`);
  }
  const rf = body['response_format'] as { type?: unknown; json_schema?: { schema?: Record<string, unknown> } } | undefined;
  // json_object → format "json", json_schema → format = schema; text / unknown → silently no constraint.
  const json = rf?.type === 'json_object' ? {} : rf?.type === 'json_schema' ? { schema: rf.json_schema?.schema } : undefined;

  // /v1 never sets num_ctx: an explicitly loaded runner is reloaded with the auto context.
  await ensureLoaded(state, model, { ctx: Math.min(state.opts.ctx, state.opts.trainedCtx), explicit: false }, signal);
  const ctx = state.loaded?.ctx ?? state.opts.ctx;
  const original = countPromptTokens(messages);
  if (original > ctx && state.opts.overflowMode === 'reject') return v1Error(args, 400, TOO_LONG);
  const fit = ollamaFit(messages, ctx, state.opts.ollamaTruncation);
  rec.promptTokens = fit.promptTokens;
  if (fit.originalPromptTokens !== undefined) rec.originalPromptTokens = fit.originalPromptTokens;

  const stream = body['stream'] === true;
  const cached = runnerCache(state, fit.seen);
  rec.cachedTokens = cached;
  const p: PreparedChat = {
    model: withTag(model),
    seen: fit.seen,
    promptTokens: fit.promptTokens,
    cachedTokens: cached,
    stream,
    includeUsage: stream && (body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true,
    maxTokens: typeof body['max_tokens'] === 'number' ? body['max_tokens'] : undefined, // max_completion_tokens is ignored
    ctxLimit: ctx,
    thinking,
    reasoningStyle: state.opts.reasoningStyle,
    json,
  };
  return answerChat(
    chatContext(args, (status, message) => v1Error(args, status, message)),
    p,
  );
}

function chatContext(args: HandlerArgs, error: (status: number, message: string) => void): ChatContext {
  return { state: args.state, req: args.req, res: args.res, rec: args.rec, signal: args.signal, error };
}

async function nativeChat(args: HandlerArgs): Promise<void> {
  const { state, rec, res, req, signal } = args;
  if (args.bodyError) return nativeError(args, 400, args.bodyError);
  const body = (args.body ?? {}) as Record<string, unknown>;
  const model = findModel(state, body['model']);
  if (!model) return nativeError(args, 404, `model '${String(body['model'])}' not found`);
  if (queueFull(state)) return nativeError(args, 503, BUSY);
  const options = (body['options'] ?? {}) as Record<string, unknown>;
  const numCtx = typeof options['num_ctx'] === 'number' ? Math.min(options['num_ctx'], state.opts.trainedCtx) : undefined;
  const want =
    numCtx !== undefined ? { ctx: numCtx, explicit: true } : { ctx: Math.min(state.opts.ctx, state.opts.trainedCtx), explicit: false };
  const think = body['think'];
  if ((think === true || (typeof think === 'string' && think !== 'none')) && !state.opts.thinking)
    return nativeError(args, 400, `"${model}" does not support thinking`);
  const thinking = think === undefined ? state.opts.thinking : think !== false && think !== 'none';
  const messages = toTemplateMessages(body['messages']);
  const created_at = (): string => new Date().toISOString();
  const loadStart = performance.now();
  await ensureLoaded(state, model, want, signal);
  const loadNs = Math.round((performance.now() - loadStart) * 1e6);
  const keepAlive = keepAliveMs(body['keep_alive']);
  if (keepAlive !== undefined) state.keepAliveMs = keepAlive;
  if (messages.length === 0) {
    rec.status = 200;
    return sendJson(res, 200, {
      model: withTag(model),
      created_at: created_at(),
      message: { role: 'assistant', content: '' },
      done_reason: 'load',
      done: true,
    });
  }
  const ctx = state.loaded?.ctx ?? want.ctx;
  const original = countPromptTokens(messages);
  if (original > ctx && (body['truncate'] === false || state.opts.overflowMode === 'reject')) return nativeError(args, 400, TOO_LONG);
  const fit = ollamaFit(messages, ctx, state.opts.ollamaTruncation);
  rec.promptTokens = fit.promptTokens;
  if (fit.originalPromptTokens !== undefined) rec.originalPromptTokens = fit.originalPromptTokens;
  const format = body['format'];
  const cached = runnerCache(state, fit.seen);
  rec.cachedTokens = cached;
  const p: PreparedChat = {
    model: withTag(model),
    seen: fit.seen,
    promptTokens: fit.promptTokens,
    cachedTokens: cached,
    stream: body['stream'] !== false,
    includeUsage: false,
    maxTokens: typeof options['num_predict'] === 'number' && options['num_predict'] >= 0 ? options['num_predict'] : undefined,
    ctxLimit: ctx,
    thinking,
    reasoningStyle: 'reasoning',
    json: format === 'json' ? {} : format && typeof format === 'object' ? { schema: format as Record<string, unknown> } : undefined,
  };

  const reply = await state.nextReply(rec);
  const gen = planGeneration(state, p, reply);
  if (gen.fault === 'refuse') {
    req.socket.destroy();
    return;
  }
  if (gen.fault === 'http500')
    return nativeError(
      args,
      500,
      'model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details',
    );
  if (gen.fault === 'http503') return nativeError(args, 503, BUSY);
  if (gen.fault === 'htmlError') return sendText(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html');
  if (gen.fault === 'emptyStream') gen.events = [];

  let release: () => void;
  try {
    release = await state.acquire(signal);
  } catch {
    rec.aborted = true;
    return;
  }
  try {
    rec.startedAt = Date.now();
    const promptMs = prefillMs(state, evaluatedTokens(p));
    await sleep(gen.delayMs + promptMs, signal);
    if (signal.aborted) return;
    const final = (): Record<string, unknown> => ({
      model: p.model,
      created_at: created_at(),
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: gen.finishReason,
      total_duration: loadNs + Math.round((promptMs + completionTimeMs(state, gen.completionTokens)) * 1e6),
      load_duration: loadNs,
      prompt_eval_count: p.promptTokens,
      prompt_eval_duration: Math.round(promptMs * 1e6),
      eval_count: gen.completionTokens,
      eval_duration: Math.round(completionTimeMs(state, gen.completionTokens) * 1e6),
    });
    rec.status = 200;
    if (!p.stream) {
      await sleep(completionTimeMs(state, gen.completionTokens), signal);
      if (gen.fault === 'stall') {
        await state.untilClosed(signal);
        res.destroy();
        return;
      }
      const content = gen.events
        .filter((e) => e.kind === 'content')
        .map((e) => e.text)
        .join('');
      const thinkingText = gen.events
        .filter((e) => e.kind === 'reasoning')
        .map((e) => e.text)
        .join('');
      const message: Record<string, unknown> = { role: 'assistant', content };
      if (thinkingText) message['thinking'] = thinkingText;
      return sendJson(res, 200, { ...final(), message });
    }
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    const line = (obj: unknown): void => {
      if (!res.destroyed) res.write(`${JSON.stringify(obj)}\n`);
    };
    const partial = gen.fault === 'stall' || gen.fault === 'drop' || gen.fault === 'midStreamError' || gen.fault === 'malformedSse';
    const events = partial ? gen.events.slice(0, Math.max(1, Math.floor(gen.events.length / 2))) : gen.events;
    const ok = await paced(
      state,
      events,
      (e) => e.tokens,
      performance.now(),
      signal,
      (ev) => {
        const message =
          ev.kind === 'content' ? { role: 'assistant', content: ev.text } : { role: 'assistant', content: '', thinking: ev.text };
        line({ model: p.model, created_at: created_at(), message, done: false });
      },
    );
    if (!ok) return;
    if (gen.fault === 'stall') {
      await state.untilClosed(signal);
      res.destroy();
      return;
    }
    if (gen.fault === 'midStreamError')
      line({
        error:
          'model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details',
      });
    if (gen.fault === 'malformedSse') res.write('{"model":"broken","message":{"content":"oops"\n');
    if (partial) {
      res.end();
      return;
    }
    line(final());
    res.end();
  } finally {
    rec.endedAt = Date.now();
    release();
  }
}
