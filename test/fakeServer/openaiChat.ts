/**
 * `/v1/chat/completions` answers (SSE stream and JSON) in each flavour's wire format
 * (ids, chunk fields, usage and error shapes as the real servers send them), plus the scripted faults. Validation and prompt accounting happen in the flavour files.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  completionTimeMs,
  evaluatedTokens,
  paced,
  planGeneration,
  prefillMs,
  sendText,
  sleep,
  type GenEvent,
  type Generation,
  type PreparedChat,
  type ServerState,
} from './engine';
import type { RecordedRequest } from './types';

export interface ChatContext {
  state: ServerState;
  req: IncomingMessage;
  res: ServerResponse;
  rec: RecordedRequest;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  /** The flavour's error writer (status + message in its body shape). */
  error(status: number, message: string): void;
}

type Style = 'ollama-old' | 'ollama-new' | 'lmstudio' | 'vllm' | 'llamacpp';

function styleOf(state: ServerState): Style {
  const f = state.opts.flavour;
  if (f === 'ollama') return state.opts.ollamaStreamStyle === 'new' ? 'ollama-new' : 'ollama-old';
  return f;
}

const OLLAMA_500 =
  'model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details';
const BUSY: Record<string, string> = {
  ollama: 'server busy, please try again.  maximum pending requests exceeded',
  llamacpp: 'Loading model',
  vllm: 'Service Unavailable',
  lmstudio: 'Service Unavailable',
};

export const HTML_ERROR =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** llama.cpp's `timings`: `prompt_n` counts only the evaluated tokens, `cache_n` the ones its slot already held. */
export function timingsFor(state: ServerState, p: PreparedChat, completionTokens: number): Record<string, number> {
  const evaluated = evaluatedTokens(p);
  const promptMs = prefillMs(state, evaluated);
  const predictedMs = completionTimeMs(state, completionTokens);
  return {
    cache_n: p.cachedTokens ?? 0,
    prompt_n: evaluated,
    prompt_ms: promptMs,
    prompt_per_token_ms: evaluated ? promptMs / evaluated : 0,
    prompt_per_second: state.opts.prefillTokensPerSecond,
    predicted_n: completionTokens,
    predicted_ms: predictedMs,
    predicted_per_token_ms: completionTokens ? predictedMs / completionTokens : 0,
    predicted_per_second: state.opts.tokensPerSecond,
  };
}

/** Answers a validated chat request: reply → faults → slot → prefill → stream or JSON. */
export async function answerChat(ctx: ChatContext, p: PreparedChat): Promise<void> {
  const { state, req, res, rec, signal } = ctx;
  const reply = await state.nextReply(rec);
  const gen = planGeneration(state, p, reply);
  if (p.forced?.kind === 'emptyStream') gen.fault = 'emptyStream';
  if (gen.fault === 'emptyStream') {
    gen.events = [];
    gen.completionTokens = 0;
    gen.finishReason = 'stop'; // LM Studio's overflow variant (c) ends "normally"
  }

  // Faults that happen before any response.
  switch (gen.fault) {
    case 'refuse':
      rec.status = 0;
      req.socket.destroy();
      return;
    case 'http500':
      rec.status = 500;
      return ctx.error(500, state.opts.flavour === 'ollama' ? OLLAMA_500 : 'Internal server error (fake fault)');
    case 'http503':
      rec.status = 503;
      return ctx.error(503, BUSY[state.opts.flavour] ?? 'Service Unavailable');
    case 'htmlError':
      rec.status = 502;
      return sendText(res, 502, HTML_ERROR, 'text/html');
    default:
      break;
  }

  let release: (() => void) | undefined;
  try {
    release = await state.acquire(signal);
  } catch {
    rec.aborted = true;
    return; // client left while queued
  }
  try {
    rec.startedAt = Date.now();
    await sleep(gen.delayMs, signal);
    if (p.stream) await streamAnswer(ctx, p, gen);
    else await jsonAnswer(ctx, p, gen);
  } finally {
    // Set before the slot passes on, so start/end times of one slot never overlap.
    rec.endedAt = Date.now();
    release();
    if (signal.aborted && !res.writableFinished) rec.aborted = true;
  }
}

function baseFields(state: ServerState, model: string): Record<string, unknown> {
  const created = Math.floor(Date.now() / 1000);
  switch (state.opts.flavour) {
    case 'ollama':
      // Ollama's ids are chatcmpl-<0..998> (so ids collide across requests).
      return { id: `chatcmpl-${state.nextId() % 999}`, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_ollama' };
    case 'vllm':
      return { id: `chatcmpl-${randomBytes(16).toString('hex')}`, object: 'chat.completion.chunk', created, model };
    case 'llamacpp':
      return {
        id: `chatcmpl-${randomBytes(16).toString('base64url')}`,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: state.opts.version,
      };
    case 'lmstudio':
      return {
        id: `chatcmpl-${randomBytes(12).toString('hex')}`,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: model,
      };
  }
}

function reasoningDelta(p: PreparedChat, text: string): Record<string, string> {
  switch (p.reasoningStyle) {
    case 'reasoning_content':
      return { reasoning_content: text };
    case 'both':
      return { reasoning: text, reasoning_content: text };
    default:
      return { reasoning: text };
  }
}

function usageOf(state: ServerState, p: PreparedChat, gen: Generation): Record<string, unknown> {
  const usage: Record<string, unknown> = {
    prompt_tokens: p.promptTokens,
    completion_tokens: gen.completionTokens,
    total_tokens: p.promptTokens + gen.completionTokens,
  };
  if (state.opts.flavour === 'llamacpp') usage['prompt_tokens_details'] = { cached_tokens: p.cachedTokens ?? 0 };
  return usage;
}

async function streamAnswer(ctx: ChatContext, p: PreparedChat, gen: Generation): Promise<void> {
  const { state, res, signal, rec } = ctx;
  const style = styleOf(state);
  const writeHeaders = (): void => {
    if (res.headersSent) return;
    // llama-server: no charset, and a hint for proxies not to buffer the stream.
    const sseHeaders: Record<string, string> =
      style === 'llamacpp'
        ? { 'Content-Type': 'text/event-stream', 'X-Accel-Buffering': 'no' }
        : { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' };
    res.writeHead(200, sseHeaders);
    res.flushHeaders();
    rec.status = 200;
  };
  const write = (obj: unknown): void => {
    if (!res.destroyed) res.write(`data: ${JSON.stringify(obj)}\n\n`);
  };
  const ping = (): void => {
    if (state.opts.ssePing && style === 'llamacpp' && !res.destroyed) res.write(': ping\n\n');
  };

  // vLLM's StreamingResponse sends headers at once; the others only after prompt processing.
  if (style === 'vllm') writeHeaders();
  if (state.opts.ssePing && style === 'llamacpp') {
    writeHeaders();
    ping();
  }
  await sleep(prefillMs(state, evaluatedTokens(p)), signal);
  if (signal.aborted) return;
  writeHeaders();

  const base = baseFields(state, p.model);
  const chunk = (
    delta: Record<string, unknown>,
    finish: string | null = null,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> => {
    const choice: Record<string, unknown> = { index: 0, delta };
    if (style === 'vllm' || style === 'lmstudio') choice['logprobs'] = null;
    choice['finish_reason'] = finish;
    if (style === 'vllm' && finish) choice['stop_reason'] = null;
    return { ...base, choices: [choice], ...extra };
  };

  if (p.forced?.kind === 'http200Error') {
    write({ error: p.forced.error });
    res.end('data: [DONE]\n\n');
    return;
  }
  if (p.forced?.kind === 'inStreamError') {
    // llama.cpp before PR #16486: an SSE *field* named `error`, which openai-node ignores.
    res.write(`error: ${JSON.stringify(p.forced.error)}\n\n`);
    res.end('data: [DONE]\n\n');
    return;
  }

  let first = true;
  const deltaFor = (ev: GenEvent): Record<string, unknown> => {
    const d: Record<string, unknown> = ev.kind === 'content' ? { content: ev.text } : reasoningDelta(p, ev.text);
    if (style === 'ollama-old') return { role: 'assistant', content: ev.kind === 'content' ? ev.text : '', ...d };
    if (style === 'ollama-new' && first) return { role: 'assistant', content: '', ...d };
    return d;
  };
  const opening = (): void => {
    if (style === 'vllm' || style === 'lmstudio') write(chunk({ role: 'assistant', content: '' }));
    else if (style === 'llamacpp') write(chunk({ role: 'assistant', content: null }));
  };

  const fault = gen.fault;
  let events = gen.events;
  const partial = fault === 'stall' || fault === 'drop' || fault === 'midStreamError' || fault === 'malformedSse';
  if (partial)
    events = events.slice(0, fault === 'stall' ? Math.max(1, Math.floor(events.length / 3)) : Math.max(1, Math.floor(events.length / 2)));
  const finishOnLast = style === 'vllm' && !partial;
  const start = performance.now();

  opening();
  if (fault === 'malformedSse') {
    write(chunk(deltaFor({ kind: 'content', text: 'Malformed', tokens: 1 })));
    res.end(
      'data: {"id":"chatcmpl-broken","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"oops"\n\ndata: [DONE]\n\n',
    );
    return;
  }
  const ok = await paced(
    state,
    events,
    (e) => e.tokens,
    start,
    signal,
    (ev) => {
      const isLast = ev === events[events.length - 1];
      write(chunk(deltaFor(ev), finishOnLast && isLast ? gen.finishReason : null));
      first = false;
      if (state.opts.ssePing && style === 'llamacpp' && isLast) ping();
    },
  );
  if (!ok) return;

  if (fault === 'stall') {
    await state.untilClosed(signal);
    res.destroy();
    return;
  }
  if (fault === 'drop' || (fault === 'midStreamError' && state.opts.flavour === 'ollama')) {
    // Ollama's ChatWriter on a runner error: one more empty-content chunk, then the stream just ends (§2.4).
    if (style === 'ollama-old') write(chunk({ role: 'assistant', content: '' }));
    else if (style === 'ollama-new') write(chunk({ content: '' }));
    res.end();
    return;
  }
  if (fault === 'midStreamError') {
    const f = state.opts.flavour;
    if (f === 'vllm') {
      const err = { message: 'Internal server error (fake mid-stream fault)', type: 'InternalServerError', param: null, code: 500 };
      write({ error: state.opts.vllmEra === 'old' ? { object: 'error', ...err } : err });
      res.end('data: [DONE]\n\n');
    } else if (f === 'llamacpp') {
      const err = { code: 500, message: 'Internal server error (fake mid-stream fault)', type: 'server_error' };
      if (state.opts.overflowMode === 'inStreamError') {
        res.write(`error: ${JSON.stringify(err)}\n\n`);
        res.end('data: [DONE]\n\n');
      } else {
        write({ error: err });
        res.end(); // newer llama-server terminates without [DONE]
      }
    } else {
      write({ error: { message: 'Internal server error (fake mid-stream fault)', type: 'server_error', param: null, code: null } });
      res.end('data: [DONE]\n\n');
    }
    return;
  }

  if (events.length === 0 && style === 'vllm') write(chunk({ content: '' }, gen.finishReason));
  else if (style === 'ollama-old') write(chunk({ role: 'assistant', content: '' }, gen.finishReason));
  else if (style === 'llamacpp')
    write(chunk({}, gen.finishReason, p.includeUsage ? {} : { timings: timingsFor(state, p, gen.completionTokens) }));
  else if (!finishOnLast) write(chunk({}, gen.finishReason));

  if (p.includeUsage) {
    const extra = style === 'llamacpp' ? { timings: timingsFor(state, p, gen.completionTokens) } : {};
    write({ ...base, choices: [], usage: usageOf(state, p, gen), ...extra });
  }
  res.end('data: [DONE]\n\n');
}

async function jsonAnswer(ctx: ChatContext, p: PreparedChat, gen: Generation): Promise<void> {
  const { state, res, signal, rec } = ctx;
  const style = styleOf(state);
  if (p.forced?.kind === 'http200Error') {
    rec.status = 200;
    const text = JSON.stringify({ error: p.forced.error });
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(text);
    return;
  }
  const fault = gen.fault;
  const events = gen.events;
  await sleep(prefillMs(state, evaluatedTokens(p)) + completionTimeMs(state, gen.completionTokens), signal);
  if (signal.aborted) return;
  if (fault === 'stall') {
    await state.untilClosed(signal);
    res.destroy();
    return;
  }
  if (fault === 'midStreamError') {
    rec.status = 500;
    return ctx.error(500, 'Internal server error (fake fault)');
  }
  const content = events
    .filter((e) => e.kind === 'content')
    .map((e) => e.text)
    .join('');
  const reasoning = events
    .filter((e) => e.kind === 'reasoning')
    .map((e) => e.text)
    .join('');
  const message: Record<string, unknown> = { role: 'assistant', content };
  if (reasoning) Object.assign(message, reasoningDelta(p, reasoning));
  const choice: Record<string, unknown> = { index: 0, message };
  if (style === 'vllm' || style === 'lmstudio') choice['logprobs'] = null;
  choice['finish_reason'] = gen.finishReason;
  if (style === 'vllm') choice['stop_reason'] = null;
  const base = baseFields(state, p.model);
  const body: Record<string, unknown> = { ...base, object: 'chat.completion', choices: [choice], usage: usageOf(state, p, gen) };
  if (style === 'llamacpp') body['timings'] = timingsFor(state, p, gen.completionTokens);
  if (style === 'lmstudio' && rec.path === '/api/v0/chat/completions') {
    // LM Studio's own REST API adds stats and model_info to the response.
    body['stats'] = {
      tokens_per_second: state.opts.tokensPerSecond,
      time_to_first_token: prefillMs(state, p.promptTokens) / 1000,
      generation_time: completionTimeMs(state, gen.completionTokens) / 1000,
      stop_reason: gen.finishReason === 'length' ? 'maxPredictedTokensReached' : 'eosFound',
    };
    body['model_info'] = { arch: 'qwen3', quant: 'Q4_K_M', format: 'gguf', context_length: state.opts.ctx };
  }
  const text = JSON.stringify(body);
  rec.status = 200;
  if (fault === 'drop') {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(text.slice(0, Math.floor(text.length / 2)));
    return;
  }
  if (fault === 'malformedSse') {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(text.slice(0, -1) + ',,}');
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}
