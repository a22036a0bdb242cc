/**
 * vLLM flavour: /version, /health, /v1/models with max_model_len, /tokenize, API key on
 * /v1 only, up-front 400 when prompt + max_tokens > max_model_len (message and body by era).
 */
import { answerChat } from '../openaiChat';
import { bearer, sendJson, sendText, type PreparedChat, type ServerState } from '../engine';
import { applyChatTemplate, countPromptTokens, countTokens, tokenIds, tokenPieces, toTemplateMessages } from '../tokenizer';
import type { HandlerArgs } from '../handler';
import { answerOpenAiEmbeddings } from '../embedding';

const TYPES: Record<number, string> = {
  400: 'BadRequestError',
  404: 'NotFoundError',
  500: 'InternalServerError',
  501: 'NotImplementedError',
  503: 'ServiceUnavailableError',
};

/** ≥ v0.10.1 nested body; `old` era: flat `{"object":"error",…}` (PR #22099). */
function vllmError(args: HandlerArgs, status: number, message: string, param: string | null = null): void {
  const err = { message, type: TYPES[status] ?? 'InternalServerError', param, code: status };
  args.rec.status = status;
  sendJson(args.res, status, args.state.opts.vllmEra === 'old' ? { object: 'error', ...err } : { error: err });
}

function findModel(state: ServerState, name: unknown): string | undefined {
  return state.opts.models.find((m) => m === name);
}

/** The 400 for prompt (+ max_tokens) > max_model_len, in the selected era's wording (§4.3). */
export function vllmOverflowMessage(
  era: 'old' | 'mid' | 'new',
  prompt: number,
  maxTokens: number | undefined,
  maxModelLen: number,
): { message: string; param: string | null } {
  if (era === 'old') {
    return maxTokens === undefined
      ? {
          message: `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${prompt} tokens in the messages, Please reduce the length of the messages.`,
          param: null,
        }
      : {
          message: `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${prompt + maxTokens} tokens (${prompt} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
          param: null,
        };
  }
  if (era === 'mid' && maxTokens !== undefined) {
    return {
      message: `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${maxModelLen} tokens and your request has ${prompt} input tokens (${maxTokens} > ${maxModelLen} - ${prompt}). None`,
      param: null,
    };
  }
  const out = maxTokens ?? 0;
  return {
    message: `You passed ${prompt} input tokens and requested ${out} output tokens. However, the model's context length is only ${maxModelLen} tokens, resulting in a maximum input length of ${maxModelLen - out} tokens. Please reduce the length of the input prompt. (parameter=input_tokens, value=${prompt})`,
    param: 'input_tokens',
  };
}

export async function handleVllm(args: HandlerArgs): Promise<void> {
  const { state, req, res, url } = args;
  const path = url.pathname;
  const method = req.method ?? 'GET';

  // --api-key guards /v1, /v2 and /inference only; OPTIONS is exempt (server_utils.py AuthenticationMiddleware).
  if (state.opts.apiKey && method !== 'OPTIONS' && /^\/(v1|v2|inference)(\/|$)/.test(path) && bearer(req) !== state.opts.apiKey) {
    args.rec.status = 401;
    return sendJson(res, 401, { error: 'Unauthorized' });
  }
  if (method === 'GET' && path === '/version') return sendJson(res, 200, { version: state.opts.version });
  if (method === 'GET' && path === '/health') return sendText(res, 200, '', 'application/json');
  if (method === 'GET' && path === '/v1/models') {
    const created = Math.floor(state.startedAt / 1000); // stable across calls
    return sendJson(res, 200, {
      object: 'list',
      data: [...state.opts.models, ...state.opts.embeddingModels].map((id) => ({
        id,
        object: 'model',
        created,
        owned_by: 'vllm',
        root: id,
        parent: null,
        max_model_len: state.opts.embeddingModels.includes(id) ? state.opts.embeddingCtx : state.opts.ctx,
        permission: [
          {
            id: `modelperm-${id.length}fake`,
            object: 'model_permission',
            created,
            allow_create_engine: false,
            allow_sampling: true,
            allow_logprobs: true,
            allow_search_indices: false,
            allow_view: true,
            allow_fine_tuning: false,
            organization: '*',
            group: null,
            is_blocking: false,
          },
        ],
      })),
    });
  }
  if (method === 'POST' && path === '/tokenize') {
    if (args.bodyError) return vllmError(args, 400, args.bodyError);
    const body = (args.body ?? {}) as Record<string, unknown>;
    let text: string;
    if (Array.isArray(body['messages'])) {
      text = applyChatTemplate(toTemplateMessages(body['messages']), body['add_generation_prompt'] !== false);
    } else if (typeof body['prompt'] === 'string') {
      text = body['prompt'];
    } else {
      return vllmError(args, 400, 'Either `prompt` or `messages` must be provided.');
    }
    const returnStrs = body['return_token_strs'] === true;
    return sendJson(res, 200, {
      count: countTokens(text),
      max_model_len: state.opts.ctx,
      tokens: tokenIds(text),
      token_strs: returnStrs ? tokenPieces(text) : null,
    });
  }
  if (method === 'POST' && path === '/v1/chat/completions') return chat(args);
  if (method === 'POST' && path === '/v1/embeddings') {
    return answerOpenAiEmbeddings(args, {
      resolveModel: (name) => {
        if (typeof name === 'string' && state.opts.embeddingModels.includes(name)) return { model: name };
        // A model served for generation has no pooling runner: the embeddings API refuses it [UNV exact text].
        const known = typeof name === 'string' && state.opts.models.includes(name);
        const err = known
          ? { message: 'The model does not support Embeddings API', type: 'BadRequestError', param: null, code: 400 }
          : { message: `The model \`${String(name)}\` does not exist.`, type: 'NotFoundError', param: 'model', code: 404 };
        return { status: err.code, body: state.opts.vllmEra === 'old' ? { object: 'error', ...err } : { error: err } };
      },
      limit: state.opts.embeddingCtx,
      tooLong: (tokens, limit) => {
        const err = {
          message: `This model's maximum context length is ${limit} tokens. However, you requested ${tokens} tokens in the input for embedding generation. Please reduce the length of the input.`,
          type: 'BadRequestError',
          param: null,
          code: 400,
        };
        return { status: 400, body: state.opts.vllmEra === 'old' ? { object: 'error', ...err } : { error: err } };
      },
    });
  }
  args.rec.status = 404;
  return sendJson(res, 404, { detail: 'Not Found' });
}

async function chat(args: HandlerArgs): Promise<void> {
  const { state, rec } = args;
  if (args.bodyError) return vllmError(args, 400, args.bodyError);
  const body = (args.body ?? {}) as Record<string, unknown>;
  const model = findModel(state, body['model']);
  if (!model) return vllmError(args, 404, `The model \`${String(body['model'])}\` does not exist.`, 'model');
  const stream = body['stream'] === true;
  const streamOptions = body['stream_options'];
  if (streamOptions !== undefined && streamOptions !== null && !stream)
    return vllmError(args, 400, 'Stream options can only be defined when `stream=True`.');

  const rf = body['response_format'] as { type?: unknown; json_schema?: { schema?: Record<string, unknown> } } | undefined;
  let json: PreparedChat['json'];
  if (rf && rf.type !== undefined && rf.type !== 'text') {
    if (rf.type === 'json_object') json = {};
    else if (rf.type === 'json_schema') {
      if (!rf.json_schema)
        return vllmError(args, 400, "When response_format type is 'json_schema', the 'json_schema' field must be provided.");
      json = { schema: rf.json_schema.schema };
    } else if (rf.type !== 'structural_tag') {
      return vllmError(
        args,
        400,
        `1 validation error:\n  Input should be 'text', 'json_object', 'json_schema' or 'structural_tag' (input: ${JSON.stringify(rf.type)})`,
      );
    }
  }
  const so = body['structured_outputs'] as { json?: unknown } | undefined;
  if (so?.json && typeof so.json === 'object') json = { schema: so.json as Record<string, unknown> };

  const kwargs = (body['chat_template_kwargs'] ?? {}) as Record<string, unknown>;
  // include_reasoning:false hides the reasoning; modelled as no reasoning at all.
  const thinking =
    state.opts.thinking &&
    kwargs['enable_thinking'] !== false &&
    body['reasoning_effort'] !== 'none' &&
    body['include_reasoning'] !== false;

  const messages = toTemplateMessages(body['messages']);
  if (messages.length === 0) return vllmError(args, 400, 'messages: List should have at least 1 item after validation, not 0');
  const L = state.opts.ctx;
  const maxRaw = body['max_completion_tokens'] ?? body['max_tokens'];
  const maxTokens = typeof maxRaw === 'number' ? maxRaw : undefined;
  if (maxTokens !== undefined && maxTokens > L && state.opts.vllmEra === 'new')
    return vllmError(
      args,
      400,
      `max_tokens=${maxTokens} cannot be greater than max_model_len=${L}. Please request fewer output tokens.`,
      'max_tokens',
    );

  let promptTokens = countPromptTokens(messages);
  let seen = messages;
  // Opt-in server-side truncation (truncate_prompt_tokens, -1 = fit); left side = keep the last N tokens.
  const tpt = body['truncate_prompt_tokens'];
  if (typeof tpt === 'number' && tpt !== 0) {
    const keep = tpt < 0 ? L - (maxTokens ?? 0) : tpt;
    if (promptTokens > keep) {
      const pieces = tokenPieces(applyChatTemplate(messages));
      const tail = body['truncation_side'] === 'right' ? pieces.slice(0, keep) : pieces.slice(pieces.length - keep);
      rec.originalPromptTokens = promptTokens;
      promptTokens = keep;
      seen = [{ role: 'user', content: tail.join('').replace(/<\|im_start\|>\w+\n|<\|im_end\|>\n?/g, '\n') }];
    }
  }
  rec.promptTokens = promptTokens;
  if (promptTokens + (maxTokens ?? 0) > L) {
    const { message, param } = vllmOverflowMessage(state.opts.vllmEra, promptTokens, maxTokens, L);
    return vllmError(args, 400, message, param);
  }

  const includeUsage =
    stream &&
    typeof streamOptions === 'object' &&
    streamOptions !== null &&
    (streamOptions as { include_usage?: unknown }).include_usage !== false;
  const p: PreparedChat = {
    model,
    seen,
    promptTokens,
    stream,
    includeUsage,
    maxTokens,
    ctxLimit: L,
    thinking,
    reasoningStyle: state.opts.reasoningStyle,
    json,
  };
  return answerChat(
    { state, req: args.req, res: args.res, rec, signal: args.signal, error: (status, message) => vllmError(args, status, message) },
    p,
  );
}
