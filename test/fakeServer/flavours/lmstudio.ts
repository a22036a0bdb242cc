/**
 * LM Studio flavour: Express server that answers unknown paths with HTTP 200
 * `{"error":"Unexpected endpoint or method. (GET /x)"}`, v0/v1 REST model lists with the loaded context,
 * json_object → 400, and the three overflow variants (400 / 200-with-error / empty stream).
 */
import { answerChat } from '../openaiChat';
import { bearer, sendJson, type PreparedChat, type ServerState } from '../engine';
import { countPromptTokens, toTemplateMessages } from '../tokenizer';
import type { HandlerArgs } from '../handler';
import { answerOpenAiEmbeddings } from '../embedding';

/** The message LM Studio 0.3.x used for prompts larger than the loaded context (§3.3 variant (a)). */
export function lmstudioOverflowMessage(promptTokens: number, ctx: number): string {
  return `Trying to keep the first ${promptTokens} tokens when context the overflows. However, the model is loaded with context length of only ${ctx} tokens, which is not enough. Try to load the model with a larger context length, or provide a shorter input.`;
}

function publisherOf(id: string): string {
  return id.includes('/') ? (id.split('/')[0] as string) : 'lmstudio-community';
}

function errorObject(args: HandlerArgs, status: number, message: string, param: string | null = null, code: string | null = null): void {
  args.rec.status = status;
  sendJson(args.res, status, { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param, code } });
}

/** An embedding model in the v0 listing: `type:"embeddings"`, loaded (JIT) with its whole context. */
function v0EmbeddingModel(state: ServerState, id: string): Record<string, unknown> {
  return {
    id,
    object: 'model',
    type: 'embeddings',
    publisher: publisherOf(id),
    arch: 'qwen3',
    compatibility_type: 'gguf',
    quantization: 'Q8_0',
    state: state.opts.preloaded ? 'loaded' : 'not-loaded',
    max_context_length: state.opts.embeddingCtx,
    ...(state.opts.preloaded ? { loaded_context_length: state.opts.embeddingCtx } : {}),
  };
}

/** LM Studio's refusal of an embedding input longer than the loaded context; the status and body shape are unverified. */
export function lmstudioEmbeddingTooLong(tokens: number, ctx: number): string {
  return `Input length ${tokens} exceeds context length ${ctx}`;
}

function v0Model(state: ServerState, id: string): Record<string, unknown> {
  const loaded = state.opts.preloaded;
  return {
    id,
    object: 'model',
    type: 'llm',
    publisher: publisherOf(id),
    arch: 'qwen3',
    compatibility_type: 'gguf',
    quantization: 'Q4_K_M',
    state: loaded ? 'loaded' : 'not-loaded',
    max_context_length: state.opts.trainedCtx,
    ...(loaded ? { loaded_context_length: state.opts.ctx } : {}),
    capabilities: ['tool_use'],
  };
}

export async function handleLmstudio(args: HandlerArgs): Promise<void> {
  const { state, req, res, url } = args;
  const path = url.pathname;
  const method = req.method ?? 'GET';
  res.setHeader('X-Powered-By', 'Express');

  if (state.opts.apiKey && bearer(req) !== state.opts.apiKey) {
    // With "Require Authentication" on, LM Studio requires a Bearer token; this exact 401 body is unverified.
    return errorObject(args, 401, 'Invalid or missing API token. Provide it as "Authorization: Bearer <token>".', null, 'invalid_api_key');
  }
  if (method === 'GET' && path === '/v1/models') {
    return sendJson(res, 200, {
      data: [...state.opts.models, ...state.opts.embeddingModels].map((id) => ({ id, object: 'model', owned_by: 'organization_owner' })),
      object: 'list',
    });
  }
  if (method === 'GET' && path === '/api/v0/models')
    return sendJson(res, 200, {
      object: 'list',
      data: [...state.opts.models.map((id) => v0Model(state, id)), ...state.opts.embeddingModels.map((id) => v0EmbeddingModel(state, id))],
    });
  if (method === 'GET' && path.startsWith('/api/v0/models/')) {
    const id = decodeURIComponent(path.slice('/api/v0/models/'.length));
    if (state.opts.models.includes(id)) return sendJson(res, 200, v0Model(state, id));
    if (state.opts.embeddingModels.includes(id)) return sendJson(res, 200, v0EmbeddingModel(state, id));
    return errorObject(args, 404, `Model "${id}" not found.`, 'model', 'model_not_found');
  }
  if (method === 'GET' && path === '/api/v1/models') {
    return sendJson(res, 200, {
      models: state.opts.models.map((key) => ({
        type: 'llm',
        publisher: publisherOf(key),
        key,
        display_name: key.split('/').pop(),
        architecture: 'qwen3',
        quantization: { name: 'Q4_K_M', bits_per_weight: 4 },
        size_bytes: 2497280256,
        params_string: '4B',
        loaded_instances: state.opts.preloaded
          ? [
              {
                id: key,
                config: {
                  context_length: state.opts.ctx,
                  eval_batch_size: 512,
                  parallel: state.opts.slots,
                  flash_attention: true,
                  num_experts: 0,
                  offload_kv_cache_to_gpu: true,
                },
              },
            ]
          : [],
        max_context_length: state.opts.trainedCtx,
        format: 'gguf',
        capabilities: {
          vision: false,
          trained_for_tool_use: true,
          ...(state.opts.thinking ? { reasoning: { allowed_options: ['off', 'on'], default: 'on' } } : {}),
        },
      })),
    });
  }
  if (method === 'POST' && (path === '/v1/chat/completions' || path === '/api/v0/chat/completions')) return chat(args);
  if (method === 'POST' && (path === '/v1/embeddings' || path === '/api/v0/embeddings')) {
    return answerOpenAiEmbeddings(args, {
      resolveModel: (name) =>
        typeof name === 'string' && state.opts.embeddingModels.includes(name)
          ? { model: name }
          : {
              status: 404,
              body: {
                error: {
                  message: `Model "${String(name)}" not found.`,
                  type: 'invalid_request_error',
                  param: 'model',
                  code: 'model_not_found',
                },
              },
            },
      limit: state.opts.embeddingCtx,
      tooLong: (tokens, ctx) => ({ status: 400, body: { error: lmstudioEmbeddingTooLong(tokens, ctx) } }),
    });
  }
  // Every unknown endpoint or method: HTTP 200 with an error body (lmstudio-bug-tracker #618, #2085, #1323).
  args.rec.status = 200;
  return sendJson(res, 200, { error: `Unexpected endpoint or method. (${method} ${path})` });
}

async function chat(args: HandlerArgs): Promise<void> {
  const { state, rec } = args;
  if (args.bodyError) return errorObject(args, 400, args.bodyError);
  const body = (args.body ?? {}) as Record<string, unknown>;
  let model = state.opts.models.find((m) => m === body['model']);
  if (!model) {
    if (state.opts.ignoreModelName && state.opts.models.length === 1) model = state.opts.models[0] as string;
    else {
      return errorObject(
        args,
        404,
        `Model "${String(body['model'])}" not found. Please specify a valid model.\n\nYour models:\n\n${state.opts.models.join('\n')}`,
        'model',
        'model_not_found',
      );
    }
  }
  const rf = body['response_format'] as { type?: unknown; json_schema?: { schema?: Record<string, unknown> } } | undefined;
  let json: PreparedChat['json'];
  if (rf && rf.type !== undefined && rf.type !== 'text') {
    if (rf.type !== 'json_schema') {
      rec.status = 400;
      return sendJson(args.res, 400, { error: "'response_format.type' must be 'json_schema' or 'text'" });
    }
    json = { schema: rf.json_schema?.schema };
  }
  const messages = toTemplateMessages(body['messages']);
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const kwargs = (body['chat_template_kwargs'] ?? {}) as Record<string, unknown>;
  const thinking = state.opts.thinking && !/\/no_think\b/.test(lastUser?.content ?? '') && kwargs['enable_thinking'] !== false;

  const promptTokens = countPromptTokens(messages);
  rec.promptTokens = promptTokens;
  const ctx = state.opts.ctx;
  const stream = body['stream'] === true;
  let forced: PreparedChat['forced'];
  if (promptTokens > ctx) {
    const message = lmstudioOverflowMessage(promptTokens, ctx);
    if (state.opts.overflowMode === 'http200Error') forced = { kind: 'http200Error', error: message };
    else if (state.opts.overflowMode === 'emptyStream') forced = { kind: 'emptyStream' };
    else {
      rec.status = 400;
      return sendJson(args.res, 400, { error: message });
    }
  }
  const maxRaw = body['max_tokens'] ?? body['max_completion_tokens'];
  const p: PreparedChat = {
    model,
    seen: messages,
    promptTokens,
    stream,
    includeUsage: stream && (body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true,
    maxTokens: typeof maxRaw === 'number' && maxRaw >= 0 ? maxRaw : undefined,
    ctxLimit: ctx,
    thinking,
    reasoningStyle: state.opts.reasoningStyle,
    json,
    forced,
  };
  return answerChat(
    { state, req: args.req, res: args.res, rec, signal: args.signal, error: (status, message) => errorObject(args, status, message) },
    p,
  );
}
