/**
 * Fake OpenAI-compatible model servers (flavours ollama, lmstudio, vllm, llamacpp) for unit and integration
 * tests, the demo and benchmarks. Only Node built-ins: this file is bundled into the extension host tests.
 * Each flavour mimics the real server's discovery endpoints, wire format and overflow behaviour; see ./README.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { commonPrefix, readBody, resolveOptions, sendJson, ServerState } from './engine';
import { applyChatTemplate, tokenIds, toTemplateMessages } from './tokenizer';
import type { HandlerArgs } from './handler';
import { handleLlamacpp } from './flavours/llamacpp';
import { handleLmstudio } from './flavours/lmstudio';
import { handleOllama } from './flavours/ollama';
import { handleVllm } from './flavours/vllm';
import type { FakeServer, FakeServerOptions, FakeStats, Flavour, RecordedRequest, Reply } from './types';

export type {
  FakeServer,
  FakeStats,
  FakeServerOptions,
  Fault,
  Flavour,
  OverflowMode,
  ReasoningStyle,
  RecordedRequest,
  Reply,
  ReplyOption,
} from './types';
export { applyChatTemplate, countPromptTokens, countTokens, tokenPieces } from './tokenizer';

/**
 * The share of `next`'s prompt tokens (fake tokenizer, chat template applied) that are identical to the start of
 * `previous`'s: what a server's prefix cache could serve when `next` follows `previous`.
 */
export function sharedPrefixShare(
  previous: readonly { role: string; content: string }[],
  next: readonly { role: string; content: string }[],
): number {
  const a = tokenIds(applyChatTemplate(previous));
  const b = tokenIds(applyChatTemplate(next));
  return b.length === 0 ? 0 : commonPrefix(a, b) / b.length;
}
export { cannedMarkdown, jsonForSchema } from './canned';
export { cosine, embeddingFeatures, fakeEmbedding } from './embedding';
export { DEFAULT_EMBEDDING_MODELS } from './engine';

const HANDLERS: Record<Flavour, (args: HandlerArgs) => Promise<void>> = {
  ollama: handleOllama,
  lmstudio: handleLmstudio,
  vllm: handleVllm,
  llamacpp: handleLlamacpp,
};

const CHAT_PATHS = new Set(['/v1/chat/completions', '/chat/completions', '/api/chat', '/api/v0/chat/completions']);

export function isChatPath(path: string): boolean {
  return CHAT_PATHS.has(path);
}

const EMBEDDING_PATHS = new Set(['/api/embed', '/api/embeddings', '/v1/embeddings', '/embeddings', '/api/v0/embeddings']);

export function isEmbeddingPath(path: string): boolean {
  return EMBEDDING_PATHS.has(path);
}

/** Fake-only endpoint with the counters tests and the bench read (every flavour). */
const STATS_PATH = '/_fake/stats';
/** Response header of every chat answer: leading prompt tokens shared with the previous chat request. */
export const SHARED_PREFIX_HEADER = 'X-Fake-Shared-Prefix-Tokens';

/** Compares the request's rendered prompt with the previous chat request's, token by token. */
function reportSharedPrefix(state: ServerState, rec: RecordedRequest, res: ServerResponse): void {
  const messages = toTemplateMessages((rec.body as { messages?: unknown } | undefined)?.messages);
  if (messages.length === 0) return;
  const ids = tokenIds(applyChatTemplate(messages));
  rec.sharedPrefixTokens = commonPrefix(state.lastPromptIds, ids);
  state.lastPromptIds = ids;
  res.setHeader(SHARED_PREFIX_HEADER, String(rec.sharedPrefixTokens));
}

function statsOf(state: ServerState): FakeStats {
  return {
    reloads: state.reloads,
    maxActive: state.maxActive,
    maxConcurrent: state.maxOpen,
    chats: state.requests
      .filter((r) => isChatPath(r.path))
      .map((r) => ({
        path: r.path,
        at: r.at,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        promptTokens: r.promptTokens,
        sharedPrefixTokens: r.sharedPrefixTokens,
        cachedTokens: r.cachedTokens,
        slot: r.slot,
      })),
  };
}

export async function startFakeServer(options: FakeServerOptions): Promise<FakeServer> {
  if (!HANDLERS[options.flavour]) throw new Error(`unknown fake server flavour: ${String(options.flavour)}`);
  const state = new ServerState(resolveOptions(options));

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, headers, body: undefined, at: Date.now() };
    state.requests.push(rec);
    const chat = isChatPath(url.pathname);
    const controller = new AbortController();
    // A client that vanishes mid-write must not crash the test process.
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    res.on('close', () => {
      if (!res.writableFinished) {
        controller.abort();
        // The client went away (or a stalled response was cut) before the answer was complete.
        if (chat && rec.status !== 0) rec.aborted = true;
      }
      if (chat) {
        state.open--;
        rec.endedAt ??= Date.now();
      }
    });
    if (chat) {
      state.open++;
      state.maxOpen = Math.max(state.maxOpen, state.open);
    }
    const raw = await readBody(req);
    let body: unknown;
    let bodyError: string | undefined;
    if (raw.trim()) {
      try {
        body = JSON.parse(raw);
      } catch (e) {
        bodyError = `invalid JSON body: ${(e as Error).message}`;
        body = raw;
      }
    }
    rec.body = body;
    if (chat && !bodyError) reportSharedPrefix(state, rec, res);
    if (req.method === 'GET' && url.pathname === STATS_PATH) return sendJson(res, 200, statsOf(state));
    const handler = HANDLERS[state.opts.flavour];
    await handler({ state, req, res, rec, url, body, bodyError, signal: controller.signal });
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      // A bug in the fake must show up as a 500 (and in the test output), not as a hung request.
      console.error('fake server handler error:', e);
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake server bug: ${String(e)}`, type: 'server_error' } });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    state.sockets.add(socket);
    socket.on('close', () => state.sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const fake: FakeServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    flavour: options.flavour,
    requests: state.requests,
    chatRequests: () => state.requests.filter((r) => isChatPath(r.path)),
    embeddingRequests: () => state.requests.filter((r) => isEmbeddingPath(r.path)),
    setReply: (reply) => {
      state.opts.reply = reply;
    },
    queueReplies: (...replies: Reply[]) => {
      state.queue.push(...replies);
    },
    setOption: (patch) => {
      const { flavour: _ignored, port: _port, ...rest } = patch;
      // A new version re-derives the version-dependent defaults unless they are patched too.
      const base =
        patch.version !== undefined && patch.ollamaStreamStyle === undefined ? { ...state.opts, ollamaStreamStyle: undefined } : state.opts;
      const next = resolveOptions({ ...base, ...rest, flavour: state.opts.flavour });
      // A new ctx on Ollama models a reload of the auto-context runner (e.g. OLLAMA_CONTEXT_LENGTH changed).
      if (state.loaded && !state.loaded.explicit && patch.ctx !== undefined && patch.ctx !== state.loaded.ctx) {
        state.loaded = { ...state.loaded, ctx: patch.ctx };
        state.reloads++;
        state.slotPrompts = [];
      }
      state.opts = next;
    },
    get maxConcurrent() {
      return state.maxOpen;
    },
    get maxActive() {
      return state.maxActive;
    },
    get reloads() {
      return state.reloads;
    },
    stats: () => statsOf(state),
    close: async () => {
      state.startClosing();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of state.sockets) s.destroy();
      });
    },
  };
  return fake;
}
