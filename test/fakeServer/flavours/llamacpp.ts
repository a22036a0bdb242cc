/**
 * llama.cpp `llama-server` flavour: /health (503 while loading), /props, dual-shape
 * /v1/models, Ollama decoy /api/tags, /apply-template + /tokenize, API key with public paths, and the
 * 400 exceed_context_size_error (or, old era, HTTP 200 with an in-stream `error:` line).
 */
import { answerChat } from '../openaiChat';
import { bearer, commonPrefix, reusable, sendJson, sendText, type PreparedChat, type ServerState } from '../engine';
import { applyChatTemplate, countTokens, tokenIds, tokenPieces, toTemplateMessages, type TemplateMessage } from '../tokenizer';
import type { HandlerArgs } from '../handler';
import { answerOpenAiEmbeddings } from '../embedding';

const PUBLIC = new Set(['/health', '/v1/health', '/models', '/v1/models', '/api/tags', '/']);
const TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  501: 'not_supported_error',
  503: 'unavailable_error',
  500: 'server_error',
};

/** Always {"error":{"code","message","type"}} (server-common.cpp format_error_response). */
function llamaError(args: HandlerArgs, status: number, message: string, extra: Record<string, unknown> = {}): void {
  args.rec.status = status;
  sendJson(args.res, status, { error: { code: status, message, type: TYPES[status] ?? 'server_error', ...extra } });
}

/** What a Qwen3 hybrid template appends to the generation prompt when thinking is switched off. */
const EMPTY_THINK = '<think>\n\n</think>\n\n';

/**
 * The model's chat template. With `thinking` the fake models a hybrid (Qwen3) template: `enable_thinking:false`
 * adds an empty think block to the generation prompt (so it counts in the prompt and in /apply-template).
 */
function renderPrompt(state: ServerState, messages: readonly TemplateMessage[], kwargs: unknown): string {
  const off = (kwargs as { enable_thinking?: unknown } | undefined)?.enable_thinking === false;
  return applyChatTemplate(messages) + (state.opts.thinking && off ? EMPTY_THINK : '');
}

/** llama-server's default `--slot-prompt-similarity`: below it, the least recently used idle slot is taken instead. */
const SLOT_SIMILARITY = 0.5;

/**
 * The slot for a request: the requested `id_slot`, else the idle slot whose cached prompt shares the longest prefix
 * with this one ("selected slot by LCP similarity") when that covers enough of it, else the least recently used idle
 * slot. With `cache_prompt` (on by default) the shared prefix is not evaluated again.
 */
function takeSlot(state: ServerState, ids: number[], idSlot: unknown, cachePrompt: boolean): { slot: number; cached: number } {
  const n = state.opts.slots;
  while (state.slotPrompts.length < n) state.slotPrompts.push([]);
  while (state.slotBusy.length < n) state.slotBusy.push(false);
  while (state.slotUsedAt.length < n) state.slotUsedAt.push(0);
  let slot: number;
  if (typeof idSlot === 'number' && Number.isInteger(idSlot) && idSlot >= 0 && idSlot < n) slot = idSlot;
  else {
    const idle = [...Array(n).keys()].filter((i) => !state.slotBusy[i]);
    const candidates = idle.length > 0 ? idle : [...Array(n).keys()];
    const lcp = (i: number): number => commonPrefix(state.slotPrompts[i] ?? [], ids);
    const similar = candidates.reduce((best, i) => (lcp(i) > lcp(best) ? i : best));
    const lru = candidates.reduce((best, i) => ((state.slotUsedAt[i] ?? 0) < (state.slotUsedAt[best] ?? 0) ? i : best));
    slot = lcp(similar) >= SLOT_SIMILARITY * ids.length ? similar : lru;
  }
  const cached = cachePrompt ? reusable(state.slotPrompts[slot] ?? [], ids) : 0;
  state.slotPrompts[slot] = ids;
  state.slotBusy[slot] = true;
  state.slotUsedAt[slot] = state.nextId();
  return { slot, cached };
}

function loading(state: ServerState): boolean {
  return Date.now() - state.startedAt < state.opts.loadingMs;
}

function modelsBody(state: ServerState): Record<string, unknown> {
  const created = Math.floor(state.startedAt / 1000); // stable across calls
  const meta = (): Record<string, unknown> => ({
    vocab_type: 2,
    n_vocab: 151936,
    ...(state.opts.llamacppEra === 'new' ? { n_ctx: state.opts.ctx } : {}),
    n_ctx_train: state.opts.trainedCtx,
    n_embd: 2560,
    n_params: 4022468096,
    size: 2497280256,
  });
  const all = [...state.opts.models, ...state.opts.embeddingModels];
  return {
    models: all.map((m) => ({
      name: m,
      model: m,
      modified_at: '',
      size: '',
      digest: '',
      type: 'model',
      description: '',
      tags: [''],
      capabilities: ['completion'],
      parameters: '',
      details: { parent_model: '', format: 'gguf', family: '', families: [''], parameter_size: '', quantization_level: '' },
    })),
    object: 'list',
    data: all.map((m) => ({ id: m, object: 'model', created, owned_by: 'llamacpp', meta: meta() })),
  };
}

export async function handleLlamacpp(args: HandlerArgs): Promise<void> {
  const { state, req, res, url } = args;
  const path = url.pathname;
  const method = req.method ?? 'GET';
  res.setHeader('Server', 'llama.cpp');
  res.setHeader('Access-Control-Allow-Origin', '*');

  if (loading(state)) return llamaError(args, 503, 'Loading model');
  if (state.opts.apiKey && method !== 'OPTIONS' && !PUBLIC.has(path) && bearer(req) !== state.opts.apiKey) {
    return llamaError(args, 401, 'Invalid API Key');
  }
  if (method === 'GET' && (path === '/health' || path === '/v1/health')) return sendJson(res, 200, { status: 'ok' });
  if (method === 'GET' && path === '/')
    return sendText(
      res,
      200,
      '<!doctype html><html><head><title>llama.cpp - chat</title></head><body>fake llama-server web UI</body></html>',
      'text/html; charset=utf-8',
    );
  if (method === 'GET' && path === '/props') {
    return sendJson(res, 200, {
      default_generation_settings: {
        id: 0,
        id_task: -1,
        n_ctx: state.opts.ctx,
        speculative: false,
        is_processing: false,
        params: {
          n_predict: -1,
          seed: 4294967295,
          temperature: 0.8,
          top_k: 40,
          top_p: 0.95,
          min_p: 0.05,
          stream: true,
          reasoning_format: 'deepseek',
        },
        prompt: '',
        next_token: { has_next_token: true, n_remain: -1, n_decoded: 0 },
      },
      total_slots: state.opts.slots,
      model_path: `/models/${state.opts.models[0] ?? 'model'}.gguf`,
      chat_template:
        '{%- for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{%- endfor %}<|im_start|>assistant\n',
      chat_template_caps: { supports_system_role: true, supports_tools: true },
      modalities: { vision: false, audio: false },
      build_info: state.opts.version,
      is_sleeping: false,
    });
  }
  if (method === 'GET' && (path === '/v1/models' || path === '/models' || path === '/api/tags'))
    return sendJson(res, 200, modelsBody(state));
  if (method === 'GET' && path === '/slots') {
    if (url.searchParams.get('fail_on_no_slot') === '1' && state.active >= state.opts.slots)
      return llamaError(args, 503, 'no slot available');
    return sendJson(
      res,
      200,
      Array.from({ length: state.opts.slots }, (_, id) => ({ id, n_ctx: state.opts.ctx, is_processing: id < state.active })),
    );
  }
  if (method === 'POST' && path === '/apply-template') {
    const body = (args.body ?? {}) as Record<string, unknown>;
    return sendJson(res, 200, { prompt: renderPrompt(state, toTemplateMessages(body['messages']), body['chat_template_kwargs']) });
  }
  if (method === 'POST' && path === '/tokenize') {
    const body = (args.body ?? {}) as Record<string, unknown>;
    const content = typeof body['content'] === 'string' ? body['content'] : '';
    const ids = tokenIds(content);
    if (body['with_pieces'] === true) {
      const pieces = tokenPieces(content);
      return sendJson(res, 200, { tokens: ids.map((id, i) => ({ id, piece: pieces[i] ?? '' })) });
    }
    return sendJson(res, 200, { tokens: ids });
  }
  if (method === 'POST' && path === '/v1/chat/completions/input_tokens') {
    const body = (args.body ?? {}) as Record<string, unknown>;
    const prompt = renderPrompt(state, toTemplateMessages(body['messages']), body['chat_template_kwargs']);
    return sendJson(res, 200, { object: 'response.input_tokens', input_tokens: countTokens(prompt) });
  }
  if (method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) return chat(args);
  if (method === 'POST' && (path === '/v1/embeddings' || path === '/embeddings')) {
    // A server started without --embeddings refuses the endpoint [UNV exact text].
    if (state.opts.embeddingModels.length === 0)
      return llamaError(args, 501, 'This server does not support embeddings. Start it with `--embeddings`');
    return answerOpenAiEmbeddings(args, {
      // Single-model server: the name is not checked, the answer carries the alias.
      resolveModel: () => ({ model: state.opts.embeddingModels[0] as string }),
      limit: state.opts.embeddingCtx,
      // The whole input must fit one physical batch (-ub, 512 by default).
      tooLong: (tokens, limit) => ({
        status: 500,
        body: {
          error: {
            code: 500,
            message: `input (${tokens} tokens) is too large to process. increase the physical batch size (current batch size: ${limit})`,
            type: 'server_error',
          },
        },
      }),
    });
  }
  return llamaError(args, 404, 'File Not Found');
}

async function chat(args: HandlerArgs): Promise<void> {
  const { state, rec } = args;
  // The JSON parser's exception surfaces as a 500 server_error.
  if (args.bodyError) return llamaError(args, 500, args.bodyError);
  const body = (args.body ?? {}) as Record<string, unknown>;
  if (body['n'] !== undefined && body['n'] !== 1) return llamaError(args, 400, 'Only one completion choice is allowed');
  const rf = body['response_format'] as
    { type?: unknown; schema?: Record<string, unknown>; json_schema?: { schema?: Record<string, unknown> } } | undefined;
  let json: PreparedChat['json'];
  if (rf && rf.type !== undefined && rf.type !== 'text') {
    if (rf.type === 'json_object') json = { schema: rf.schema };
    else if (rf.type === 'json_schema') json = { schema: rf.json_schema?.schema };
    else return llamaError(args, 400, `response_format type must be one of "text" or "json_object", but got: ${String(rf.type)}`);
  }
  if (body['json_schema'] && typeof body['json_schema'] === 'object') json = { schema: body['json_schema'] as Record<string, unknown> };

  const kwargs = (body['chat_template_kwargs'] ?? {}) as Record<string, unknown>;
  // A hybrid template's grammar expects the generation prompt, which then holds the empty think block.
  if (json && state.opts.thinking && kwargs['enable_thinking'] === false)
    return llamaError(args, 400, 'Failed to initialize samplers: std::exception');
  const thinking = state.opts.thinking && kwargs['enable_thinking'] !== false && body['reasoning_effort'] !== 'none';
  const reasoningStyle = body['reasoning_format'] === 'none' ? 'inline-think' : state.opts.reasoningStyle;

  const messages = toTemplateMessages(body['messages']);
  const ids = tokenIds(renderPrompt(state, messages, kwargs));
  const promptTokens = ids.length;
  rec.promptTokens = promptTokens;
  const nCtx = state.opts.ctx;
  const stream = body['stream'] === true;
  let forced: PreparedChat['forced'];
  if (promptTokens >= nCtx) {
    if (state.opts.overflowMode === 'inStreamError' && stream) {
      // Before PR #16486 the streamed overflow came as HTTP 200 + an SSE `error:` field.
      forced = {
        kind: 'inStreamError',
        error: {
          code: 400,
          message: 'the request exceeds the available context size, try increasing it',
          type: 'exceed_context_size_error',
          n_prompt_tokens: promptTokens,
          n_ctx: nCtx,
        },
      };
    } else {
      return llamaError(
        args,
        400,
        `request (${promptTokens} tokens) exceeds the available context size (${nCtx} tokens), try increasing it`,
        { type: 'exceed_context_size_error', n_prompt_tokens: promptTokens, n_ctx: nCtx },
      );
    }
  }
  const maxRaw = body['max_completion_tokens'] ?? body['max_tokens'] ?? body['n_predict'];
  // Single-model mode ignores the requested name and answers with its alias.
  const model = state.opts.models[0] ?? 'model';
  const { slot, cached } = takeSlot(state, ids, body['id_slot'], body['cache_prompt'] !== false);
  rec.slot = slot;
  rec.cachedTokens = cached;
  args.res.on('close', () => {
    state.slotBusy[slot] = false;
  });
  const p: PreparedChat = {
    model,
    seen: messages,
    promptTokens,
    cachedTokens: cached,
    stream,
    includeUsage: stream && (body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true,
    maxTokens: typeof maxRaw === 'number' && maxRaw >= 0 ? maxRaw : undefined,
    ctxLimit: nCtx, // no prompt + max_tokens pre-check: generation just stops at n_ctx with "length"
    thinking,
    reasoningStyle,
    json,
    forced,
  };
  return answerChat(
    { state, req: args.req, res: args.res, rec, signal: args.signal, error: (status, message) => llamaError(args, status, message) },
    p,
  );
}
