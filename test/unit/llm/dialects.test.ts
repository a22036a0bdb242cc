import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startFakeServer, type Flavour } from '../../fakeServer/index';
import { DEFAULT_CONFIG } from '../../../src/core/config';
import { AssistantError } from '../../../src/core/errors';
import { nullLogger } from '../../../src/core/ports/logger';
import { fingerprint } from '../../../src/core/llm/discovery';
import { dialectFor, LISTING_ORDER } from '../../../src/core/llm/dialects';
import type { ChatContext, ChatEvent, ModelFacts, ModelListProbe, Probes } from '../../../src/core/llm/dialects/dialect';
import { versionAtLeast } from '../../../src/core/llm/dialects/ollama';
import type { FetchLike, Http, HttpResult } from '../../../src/core/llm/http';
import { connect } from '../../../src/core/llm/session';
import type { ChatRequest, ServerInfo, ServerKind } from '../../../src/core/llm/types';

const KINDS: readonly ServerKind[] = ['ollama', 'lmstudio', 'vllm', 'llamacpp', 'openai-compatible'];
const ROOT = 'http://127.0.0.1:9';

function result(status: number, json: unknown): HttpResult {
  const text = json === undefined ? '' : JSON.stringify(json);
  return { status, headers: new Headers(), text, json };
}

function probesOf(answers: Record<string, HttpResult>): Probes {
  return { root: ROOT, get: (path) => Promise.resolve(answers[path]) };
}

function recognised(listing: ModelListProbe): ServerKind | undefined {
  return LISTING_ORDER.find((d) => d.claimsModelList?.(listing) === true)?.kind;
}

function listing(status: number, body: Record<string, unknown> | undefined): ModelListProbe {
  const data = body?.data;
  const first = Array.isArray(data) ? (data[0] as Record<string, unknown> | undefined) : undefined;
  return { status, body, first };
}

/** A fetch that records each request body and answers with `answer(url)`. */
function recordingFetch(answer: (url: string) => Response): { fetch: FetchLike; bodies: Record<string, unknown>[]; urls: string[] } {
  const bodies: Record<string, unknown>[] = [];
  const urls: string[] = [];
  const fetch: FetchLike = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    urls.push(url);
    bodies.push(typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : {});
    return Promise.resolve(answer(url));
  };
  return { fetch, bodies, urls };
}

const sse = (): Response =>
  new Response(
    [
      `data: ${JSON.stringify({ model: 'm', choices: [{ index: 0, delta: { content: 'OK' }, finish_reason: null }] })}`,
      `data: ${JSON.stringify({ model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}`,
      `data: ${JSON.stringify({ model: 'm', choices: [], usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 } })}`,
      'data: [DONE]',
      '',
    ].join('\n\n'),
    { status: 200, headers: { 'content-type': 'text/event-stream' } },
  );

const ndjson = (): Response =>
  new Response(
    [
      JSON.stringify({ model: 'm', message: { role: 'assistant', content: 'OK' }, done: false }),
      JSON.stringify({
        model: 'm',
        message: { role: 'assistant', content: '' },
        done: true,
        done_reason: 'stop',
        prompt_eval_count: 30,
        eval_count: 2,
      }),
      '',
    ].join('\n'),
    { status: 200, headers: { 'content-type': 'application/x-ndjson' } },
  );

function chatContext(
  kind: ServerKind,
  fetch: FetchLike,
  patch: { model?: string; version?: string; thinking?: boolean; context?: number } = {},
): ChatContext {
  const info: ServerInfo = {
    kind,
    version: patch.version,
    baseUrl: ROOT,
    model: patch.model ?? 'qwen3-4b-instruct-2507',
    contextLength: patch.context ?? 32768,
    contextSource: 'server',
    parallelSlots: 1,
    exactTokenCount: false,
  };
  const facts: ModelFacts = {
    contextLength: info.contextLength,
    contextSource: 'server',
    parallelSlots: 1,
    thinking: patch.thinking ?? false,
    notes: [],
  };
  return { info, facts, config: DEFAULT_CONFIG, fetch, logger: nullLogger };
}

async function drain(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content },
  ],
  maxTokens: 64,
  ...extra,
});

const SCHEMA = { name: 'answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } } } };

void suite('dialects: recognising a server', () => {
  void test('each dialect answers for its own kind; names and context advice are translated', () => {
    const bundles = ['l10n/bundle.l10n.json', 'l10n/bundle.l10n.zh-cn.json'].map(
      (f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, string>,
    );
    for (const kind of KINDS) {
      const dialect = dialectFor(kind);
      assert.equal(dialect.kind, kind);
      for (const bundle of bundles) assert.ok(dialect.contextAdvice in bundle, `${kind}: advice missing from an l10n bundle`);
    }
    assert.equal(new Set(KINDS.map((k) => dialectFor(k).displayName)).size, KINDS.length);
  });

  void test('Ollama by a string version without an error; LM Studio by its 200 "Unexpected endpoint" answer', async () => {
    const ollama = probesOf({ '/api/version': result(200, { version: '0.12.6' }) });
    assert.deepEqual(await dialectFor('ollama').probe?.(ollama), { kind: 'ollama', root: ROOT, version: '0.12.6' });
    assert.equal(await dialectFor('lmstudio').probe?.(ollama), undefined);
    const lm = probesOf({ '/api/version': result(200, { error: 'Unexpected endpoint or method. (GET /api/version)' }) });
    assert.equal(await dialectFor('ollama').probe?.(lm), undefined);
    assert.deepEqual(await dialectFor('lmstudio').probe?.(lm), { kind: 'lmstudio', root: ROOT });
    const v0 = probesOf({ '/api/v0/models': result(200, { data: [{ id: 'a', state: 'not-loaded' }] }) });
    assert.deepEqual(await dialectFor('lmstudio').probe?.(v0), { kind: 'lmstudio', root: ROOT });
  });

  void test('llama.cpp by /props, or still loading; vLLM by /version with its listing or a 401', async () => {
    const props = { default_generation_settings: { n_ctx: 4096 }, total_slots: 2, build_info: 'b10156-91f8c9c5' };
    assert.deepEqual(await dialectFor('llamacpp').probe?.(probesOf({ '/props': result(200, props) })), {
      kind: 'llamacpp',
      root: ROOT,
      version: 'b10156-91f8c9c5',
      props,
    });
    const loading = result(503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
    assert.deepEqual(await dialectFor('llamacpp').probe?.(probesOf({ '/props': loading })), { loading: 'llama.cpp server' });
    const version = result(200, { version: '0.11.0' });
    assert.deepEqual(
      await dialectFor('vllm').probe?.(probesOf({ '/version': version, '/v1/models': result(401, { error: 'Unauthorized' }) })),
      {
        kind: 'vllm',
        root: ROOT,
        version: '0.11.0',
      },
    );
    const other = result(200, { data: [{ id: 'm', owned_by: 'someone' }] });
    assert.equal(await dialectFor('vllm').probe?.(probesOf({ '/version': version, '/v1/models': other })), undefined);
  });

  void test('from /v1/models alone: specific fields before owner strings, the generic server last', () => {
    assert.equal(recognised(listing(200, { data: [{ id: 'm', owned_by: 'vllm' }] })), 'vllm');
    assert.equal(recognised(listing(200, { data: [{ id: 'm', owned_by: 'organization_owner', max_model_len: 8192 }] })), 'vllm');
    assert.equal(recognised(listing(200, { models: [], data: [{ id: 'm', owned_by: 'x' }] })), 'llamacpp');
    assert.equal(recognised(listing(200, { data: [{ id: 'm', meta: { n_ctx_train: 1 } }] })), 'llamacpp');
    assert.equal(recognised(listing(200, { data: [{ id: 'm', owned_by: 'organization_owner' }] })), 'lmstudio');
    assert.equal(recognised(listing(200, { object: 'list', data: null })), 'openai-compatible');
    assert.equal(recognised(listing(200, { data: [] })), 'openai-compatible');
    assert.equal(recognised(listing(401, undefined)), 'openai-compatible');
    assert.equal(recognised(listing(200, { hello: 'world' })), undefined);
    assert.equal(recognised(listing(404, { data: [] })), undefined);
  });

  const FLAVOURS: readonly Flavour[] = ['ollama', 'lmstudio', 'vllm', 'llamacpp'];
  for (const flavour of FLAVOURS) {
    void test(`${flavour}: fingerprinting asks each path at most once`, async () => {
      const fake = await startFakeServer({ flavour });
      try {
        const http: Http = { fetch: globalThis.fetch, signal: AbortSignal.timeout(5000), timeoutMs: 2000, logger: nullLogger };
        const found = await fingerprint(fake.url, http);
        assert.equal(typeof found === 'object' && 'kind' in found ? found.kind : found, flavour);
        const paths = fake.requests.map((r) => r.path);
        assert.deepEqual(paths, [...new Set(paths)], `repeated probes: ${paths.join(', ')}`);
      } finally {
        await fake.close();
      }
    });
  }
});

void suite('dialects: what each server is sent', () => {
  void test('LM Studio: `/no_think` only for hybrid Qwen3 models (no API switch exists)', async () => {
    for (const [model, expected] of [
      ['qwen3-4b', 'Summarise.\n/no_think'],
      ['qwen3-4b-instruct-2507', 'Summarise.'],
      ['llama-3.2-3b', 'Summarise.'],
    ] as const) {
      const rec = recordingFetch(sse);
      await drain(
        dialectFor('lmstudio')
          .openChat(chatContext('lmstudio', rec.fetch, { model }))
          .events(ask('Summarise.'), 10, AbortSignal.timeout(5000)),
      );
      const messages = rec.bodies[0]?.messages as { role: string; content: string }[];
      assert.equal(messages.at(-1)?.content, expected, model);
      assert.equal(rec.bodies[0]?.chat_template_kwargs, undefined);
    }
  });

  void test('vLLM and llama.cpp: the thinking-off template argument; generic: nothing extra; all: usage and json_schema', async () => {
    for (const kind of ['vllm', 'llamacpp', 'openai-compatible'] as const) {
      const rec = recordingFetch(sse);
      const events = await drain(
        dialectFor(kind)
          .openChat(chatContext(kind, rec.fetch))
          .events(ask('Hi', { jsonSchema: SCHEMA }), 10, AbortSignal.timeout(5000)),
      );
      const body = rec.bodies[0] ?? {};
      assert.match(rec.urls[0] ?? '', /\/v1\/chat\/completions$/);
      assert.deepEqual(body.chat_template_kwargs, kind === 'openai-compatible' ? undefined : { enable_thinking: false }, kind);
      assert.deepEqual(body.stream_options, { include_usage: true });
      assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { ...SCHEMA, strict: true } });
      assert.deepEqual(
        events.filter((e) => e.type === 'usage'),
        [{ type: 'usage', usage: { promptTokens: 12, completionTokens: 1 } }],
      );
    }
  });

  void test('a rejected stream_options is dropped once; other rejections are left to the caller', async () => {
    const rec = recordingFetch(sse);
    const transport = dialectFor('openai-compatible').openChat(chatContext('openai-compatible', rec.fetch));
    assert.equal(transport.adaptToRejection(new AssistantError('UnsupportedParameter', '400 unknown field response_format')), false);
    assert.equal(transport.adaptToRejection(new AssistantError('Busy', '503 stream_options')), false);
    assert.equal(transport.adaptToRejection(new AssistantError('UnsupportedParameter', '400 Unrecognized field stream_options')), true);
    assert.equal(transport.adaptToRejection(new AssistantError('UnsupportedParameter', '400 Unrecognized field stream_options')), false);
    await drain(transport.events(ask('Hi'), 10, AbortSignal.timeout(5000)));
    assert.equal(rec.bodies[0]?.stream_options, undefined);
    assert.equal(
      dialectFor('ollama')
        .openChat(chatContext('ollama', rec.fetch))
        .adaptToRejection(new AssistantError('UnsupportedParameter', 'stream_options')),
      false,
    );
  });

  void test('Ollama: native /api/chat, num_ctx in 8k steps that never shrink, bounded by the usable context', async () => {
    const rec = recordingFetch(ndjson);
    const transport = dialectFor('ollama').openChat(
      chatContext('ollama', rec.fetch, { context: 20000, version: '0.12.6', thinking: true }),
    );
    const signal = AbortSignal.timeout(5000);
    const events = await drain(transport.events(ask('Hi'), 100, signal));
    await drain(transport.events(ask('Hi', { maxTokens: 1000 }), 9000, signal));
    await drain(transport.events(ask('Hi'), 100, signal));
    await drain(transport.events(ask('Hi', { maxTokens: 1000 }), 19000, signal));
    assert.match(rec.urls[0] ?? '', /\/api\/chat$/);
    const numCtx = rec.bodies.map((b) => (b.options as { num_ctx: number }).num_ctx);
    assert.deepEqual(numCtx, [8192, 16384, 16384, 20000]);
    assert.equal(rec.bodies[0]?.think, false);
    assert.equal(rec.bodies[0]?.truncate, false);
    assert.deepEqual(
      events.filter((e) => e.type === 'usage' || e.type === 'finish'),
      [
        { type: 'usage', usage: { promptTokens: 30, completionTokens: 2 } },
        { type: 'finish', reason: 'stop' },
      ],
    );
  });

  void test('Ollama: `think` only for thinking models, `truncate` only from 0.12.4, the schema as `format`', async () => {
    const rec = recordingFetch(ndjson);
    const signal = AbortSignal.timeout(5000);
    await drain(
      dialectFor('ollama')
        .openChat(chatContext('ollama', rec.fetch, { version: '0.12.3' }))
        .events(ask('Hi', { jsonSchema: SCHEMA }), 10, signal),
    );
    await drain(
      dialectFor('ollama')
        .openChat(chatContext('ollama', rec.fetch, { version: '0.13.0' }))
        .events(ask('Hi'), 10, signal),
    );
    assert.equal('think' in (rec.bodies[0] ?? {}), false);
    assert.equal('truncate' in (rec.bodies[0] ?? {}), false);
    assert.deepEqual(rec.bodies[0]?.format, SCHEMA.schema);
    assert.equal(rec.bodies[1]?.truncate, false);
    assert.equal('format' in (rec.bodies[1] ?? {}), false);
  });

  void test('versionAtLeast reads x.y.z anywhere in the string and refuses what it cannot read', () => {
    assert.equal(versionAtLeast('0.12.4', [0, 12, 4]), true);
    assert.equal(versionAtLeast('0.12.3', [0, 12, 4]), false);
    assert.equal(versionAtLeast('0.13.0', [0, 12, 4]), true);
    assert.equal(versionAtLeast('v1.0.0-rc1', [0, 12, 4]), true);
    assert.equal(versionAtLeast('0.9', [0, 12, 4]), false);
    assert.equal(versionAtLeast(undefined, [0, 12, 4]), false);
  });
});

void suite('dialects: exact counts and context', () => {
  const http = (fetch: FetchLike): Http => ({ fetch, signal: AbortSignal.timeout(5000), timeoutMs: 2000, logger: nullLogger });
  const messages = ask('Hi').messages;
  const target = { root: ROOT, model: 'm' };

  void test('vLLM counts with /tokenize and the same thinking-off template argument as the chat', async () => {
    const rec = recordingFetch(() => Response.json({ count: 42, max_model_len: 8192, tokens: [] }));
    assert.equal(await dialectFor('vllm').countTokens?.(messages, target, http(rec.fetch)), 42);
    assert.deepEqual(rec.bodies[0], {
      model: 'm',
      messages,
      add_generation_prompt: true,
      chat_template_kwargs: { enable_thinking: false },
    });
    const failing = recordingFetch(() => Response.json({ error: 'boom' }, { status: 500 }));
    assert.equal(await dialectFor('vllm').countTokens?.(messages, target, http(failing.fetch)), undefined);
  });

  void test('llama.cpp renders the template, then tokenizes the rendered prompt', async () => {
    const rec = recordingFetch((url) =>
      url.endsWith('/apply-template') ? Response.json({ prompt: '<|im_start|>user\nHi' }) : Response.json({ tokens: [1, 2, 3, 4, 5] }),
    );
    assert.equal(await dialectFor('llamacpp').countTokens?.(messages, target, http(rec.fetch)), 5);
    assert.deepEqual(rec.urls, [`${ROOT}/apply-template`, `${ROOT}/tokenize`]);
    assert.deepEqual(rec.bodies[1], { content: '<|im_start|>user\nHi', add_special: true, parse_special: true });
    const noTemplate = recordingFetch(() => new Response('Not Found', { status: 404 }));
    assert.equal(await dialectFor('llamacpp').countTokens?.(messages, target, http(noTemplate.fetch)), undefined);
  });

  void test('only vLLM and llama.cpp claim exact counts', () => {
    assert.deepEqual(
      KINDS.filter((k) => dialectFor(k).countTokens !== undefined),
      ['vllm', 'llamacpp'],
    );
  });

  void test('LM Studio with the model not loaded: context unknown until the first answer, so the session says to re-read it', async () => {
    for (const preloaded of [false, true]) {
      const fake = await startFakeServer({ flavour: 'lmstudio', preloaded, ctx: 16384 });
      try {
        const session = await connect({ config: { ...DEFAULT_CONFIG, endpoint: fake.url } }, AbortSignal.timeout(10_000));
        assert.equal(session.contextPendingLoad, !preloaded);
        assert.equal(session.info.contextSource, preloaded ? 'server' : 'default');
        if (!preloaded) assert.ok(session.notes.some((n) => /not loaded/.test(n)));
      } finally {
        await fake.close();
      }
    }
  });

  void test("llama.cpp router mode: a bare /props with n_ctx 0 is followed by the model's own /props", async () => {
    const rec = recordingFetch(() => Response.json({ default_generation_settings: { n_ctx: 8192 }, total_slots: 3 }));
    const server = { kind: 'llamacpp' as const, root: ROOT, props: { default_generation_settings: { n_ctx: 0 } } };
    const read = await dialectFor('llamacpp').readContext(server, { id: 'org/model:Q4' }, http(rec.fetch));
    assert.deepEqual(rec.urls, [`${ROOT}/props?model=${encodeURIComponent('org/model:Q4')}`]);
    assert.equal(read.contextLength, 8192);
    assert.equal(read.parallelSlots, 3);
  });
});
