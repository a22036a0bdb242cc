import { after, suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError, NotFoundError, BadRequestError } from 'openai';
import { countPromptTokens, startFakeServer, type FakeServer, type FakeServerOptions } from '../../fakeServer/index';
import { clientFor, collect, getJson, postJson, rawSse, wordsOfTokens } from './helpers';

const MODEL = 'qwen3:4b-instruct-2507';

void suite('fake ollama quirks (SERVERS.md §2, §9.1)', () => {
  const servers: FakeServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (opts: Partial<FakeServerOptions> = {}): Promise<FakeServer> => {
    const s = await startFakeServer({ flavour: 'ollama', tokensPerSecond: 100_000, ...opts });
    servers.push(s);
    return s;
  };

  void test('detection endpoints: GET /, /api/version, /api/tags, /api/show, /api/ps, /v1/models', async () => {
    const server = await start({ version: '0.12.6', ctx: 8192, thinking: true });
    const root = await getJson(server, '/');
    assert.equal(root.body, 'Ollama is running');
    assert.deepEqual((await getJson(server, '/api/version')).body, { version: '0.12.6' });
    assert.equal((await getJson(server, '/api/tags')).body.models[0].name, MODEL);
    const show = await postJson(server, '/api/show', { model: MODEL });
    assert.equal(show.body.model_info['qwen3.context_length'], 262144);
    assert.ok(show.body.capabilities.includes('thinking'));
    assert.match(show.body.parameters, /^repeat_penalty {17}1$/m); // key padded to 30 chars, then a space
    assert.equal((await postJson(server, '/api/show', { model: 'nope' })).status, 404);
    assert.equal((await getJson(server, '/api/ps')).body.models[0].context_length, 8192);
    const models = await getJson(server, '/v1/models');
    assert.equal(models.body.data[0].owned_by, 'library');
    assert.equal((await getJson(server, '/nope')).status, 404);
  });

  void test('an empty model list is data:null, and /api/ps is empty until a model loads', async () => {
    const empty = await start({ models: [] });
    assert.equal((await getJson(empty, '/v1/models')).body.data, null);
    const cold = await start({ preloaded: false });
    assert.deepEqual((await getJson(cold, '/api/ps')).body.models, []);
    const load = await postJson(cold, '/api/chat', { model: MODEL, messages: [] });
    assert.equal(load.body.done_reason, 'load');
    assert.equal((await getJson(cold, '/api/ps')).body.models[0].context_length, 4096);
  });

  void test('/v1 silently truncates a long prompt to about ctx/2 and reports the shrunken prompt_tokens', async () => {
    const server = await start({ ctx: 1024 });
    const head = 'HEADMARK The first sentence of the pasted document mentions 77 apples.';
    const tail = 'TAILMARK The last sentence says the budget was 5 million euros.';
    const messages = [{ role: 'user' as const, content: `${head}\n${wordsOfTokens(3000)}\n${tail}` }];
    const sent = countPromptTokens(messages);
    const got = await collect(
      await clientFor(server).chat.completions.create({
        model: MODEL,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 400,
      }),
    );
    assert.ok(sent > 3000);
    assert.equal(got.usage?.prompt_tokens, 1024 - Math.floor((1024 - 4) / 2)); // 514: 4 head tokens + tail
    assert.ok(['stop', 'length'].includes(got.finishReason ?? ''));
    assert.ok(got.text.includes(tail.slice('TAILMARK '.length)), 'the tail survives');
    assert.ok(!got.text.includes('77 apples'), 'the head is lost');
    const rec = server.chatRequests()[0];
    assert.equal(rec?.originalPromptTokens, sent);
    assert.equal(rec?.promptTokens, 514);
  });

  void test('message-level truncation drops the oldest non-system messages first', async () => {
    const server = await start({ ctx: 200, reply: 'ok' });
    const messages = [
      { role: 'system' as const, content: 'System rules here.' },
      { role: 'user' as const, content: wordsOfTokens(300) },
      { role: 'assistant' as const, content: 'Earlier answer.' },
      { role: 'user' as const, content: 'Final question about the 2020 data?' },
    ];
    const res = await clientFor(server).chat.completions.create({ model: MODEL, messages });
    assert.equal(res.usage?.prompt_tokens, countPromptTokens([messages[0]!, messages[2]!, messages[3]!]));
  });

  void test('full truncation mode (< v0.30.0) fills the whole context; reject mode gives 400', async () => {
    const full = await start({ ctx: 512, ollamaTruncation: 'full', reply: 'ok' });
    const messages = [{ role: 'user' as const, content: wordsOfTokens(2000) }];
    const res = await clientFor(full).chat.completions.create({ model: MODEL, messages, max_tokens: 10 });
    assert.equal(res.usage?.prompt_tokens, 512);
    const reject = await start({ ctx: 512, overflowMode: 'reject' });
    await assert.rejects(
      clientFor(reject).chat.completions.create({ model: MODEL, messages }),
      (e: unknown) => e instanceof BadRequestError && /prompt is longer than the context length/.test(e.message),
    );
  });

  void test('/v1 ignores num_ctx and options: the loaded context stays', async () => {
    const server = await start({ ctx: 1024, reply: 'ok' });
    const messages = [{ role: 'user' as const, content: wordsOfTokens(3000) }];
    const body = { model: MODEL, messages, num_ctx: 32768, options: { num_ctx: 32768 } };
    const res = await clientFor(server).chat.completions.create(body as never);
    assert.equal((res as { usage?: { prompt_tokens: number } }).usage?.prompt_tokens, 514);
  });

  void test('generation stops at num_ctx with finish_reason length', async () => {
    const server = await start({ ctx: 100, reply: wordsOfTokens(200) });
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const res = await clientFor(server).chat.completions.create({ model: MODEL, messages });
    assert.equal(res.choices[0]?.finish_reason, 'length');
    assert.equal((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0), 100);
  });

  void test('error bodies: 404 unknown model (OpenAI shape), 400 thinking on an instruct model, 400 empty messages', async () => {
    const server = await start();
    const client = clientFor(server);
    await assert.rejects(client.chat.completions.create({ model: 'nope:1b', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.equal(e.message, "404 model 'nope:1b' not found");
      assert.equal(e.type, 'not_found_error');
      return true;
    });
    await assert.rejects(
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'high' }),
      (e: unknown) => e instanceof BadRequestError && e.message === `400 "${MODEL}" does not support thinking`,
    );
    await assert.rejects(
      client.chat.completions.create({ model: MODEL, messages: [] }),
      (e: unknown) => e instanceof BadRequestError && /too short/.test(e.message),
    );
    // reasoning_effort none is always safe
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'none' });
  });

  void test('wire format before v0.32.6: role on every chunk, finish on a content chunk, fp_ollama', async () => {
    const server = await start({ version: '0.12.6', reply: { chunks: ['Hel', 'lo'] } });
    const { frames, headers } = await rawSse(server, { model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
    assert.match(headers.get('content-type') ?? '', /text\/event-stream/);
    assert.equal(frames.at(-1), '[DONE]');
    const chunks = frames.slice(0, -1).map(
      (f) =>
        JSON.parse(f) as {
          system_fingerprint: string;
          id: string;
          choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
        },
    );
    assert.equal(chunks.length, 3);
    for (const c of chunks) {
      assert.equal(c.system_fingerprint, 'fp_ollama');
      assert.equal(c.choices[0]?.delta['role'], 'assistant');
      assert.match(c.id, /^chatcmpl-\d{1,3}$/);
    }
    assert.deepEqual(chunks[2]?.choices[0], { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: 'stop' });
  });

  void test('wire format from v0.32.6: role only first, dedicated empty-delta finish chunk, usage chunk only on request', async () => {
    const server = await start({ version: '0.32.6', thinking: true, reply: { chunks: ['Hi'], reasoning: 'Hmm' } });
    const { frames } = await rawSse(server, {
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = frames
      .slice(0, -1)
      .map((f) => JSON.parse(f) as { choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>; usage?: unknown });
    assert.deepEqual(chunks[0]?.choices[0]?.delta, { role: 'assistant', content: '', reasoning: 'Hmm' });
    assert.deepEqual(chunks[1]?.choices[0]?.delta, { content: 'Hi' });
    assert.deepEqual(chunks[2]?.choices[0], { index: 0, delta: {}, finish_reason: 'stop' });
    assert.deepEqual(chunks[3]?.choices, []);
    assert.ok(chunks[3]?.usage);
    const noUsage = await rawSse(server, { model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
    assert.equal(noUsage.frames.length, 4); // reasoning, content, finish, [DONE]
  });

  void test('native /api/chat: NDJSON, options.num_ctx reloads the model, truncate:false gives 400', async () => {
    const server = await start({ ctx: 4096, reply: 'Native answer.' });
    const res = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], options: { num_ctx: 16384 } }),
    });
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { done: boolean; message: { content: string }; prompt_eval_count?: number });
    assert.equal(lines.map((l) => l.message.content).join(''), 'Native answer.');
    assert.equal(lines.at(-1)?.done, true);
    assert.equal(lines.at(-1)?.prompt_eval_count, countPromptTokens([{ role: 'user', content: 'hi' }]));
    assert.equal((await getJson(server, '/api/ps')).body.models[0].context_length, 16384);
    assert.equal(server.reloads, 1);
    // A /v1 request afterwards reloads with the auto context: mixing explicit num_ctx and /v1 calls flip-flops
    // the model between the two sizes, paying a reload each time.
    await clientFor(server).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    assert.equal((await getJson(server, '/api/ps')).body.models[0].context_length, 4096);
    assert.equal(server.reloads, 2);
    const tooLong = await postJson(server, '/api/chat', {
      model: MODEL,
      stream: false,
      truncate: false,
      messages: [{ role: 'user', content: wordsOfTokens(5000) }],
    });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.body.error, /prompt is longer than the context length/);
    const missing = await postJson(server, '/api/chat', { model: 'nope', messages: [] });
    assert.deepEqual(missing.body, { error: "model 'nope' not found" });
  });

  void test('native /api/chat: a client that disconnects mid-stream is recorded as aborted', async () => {
    const server = await start({ tokensPerSecond: 50, reply: wordsOfTokens(200) });
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    for (let i = 0; i < 100 && server.chatRequests()[0]?.aborted === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    const rec = server.chatRequests()[0];
    assert.equal(rec?.aborted, true);
    assert.ok((rec?.endedAt ?? Infinity) - (rec?.at ?? 0) < 2000);
  });

  void test('setOption({ctx}) models a reload with a new context', async () => {
    const server = await start({ ctx: 4096 });
    server.setOption({ ctx: 2048 });
    assert.equal((await getJson(server, '/api/ps')).body.models[0].context_length, 2048);
    assert.equal(server.reloads, 1);
  });

  void test('queue full gives 503 with the double-space message', async () => {
    const server = await start({ slots: 1, maxQueue: 0, tokensPerSecond: 200, reply: wordsOfTokens(20) });
    const client = clientFor(server);
    const first = client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    while (server.chatRequests()[0]?.startedAt === undefined) await new Promise((r) => setTimeout(r, 5));
    await assert.rejects(
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'y' }] }),
      (e: unknown) =>
        e instanceof APIError && e.status === 503 && e.message === '503 server busy, please try again.  maximum pending requests exceeded',
    );
    await first;
  });
});
