import { after, suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthenticationError, BadRequestError } from 'openai';
import { countPromptTokens, startFakeServer, type FakeServer, type FakeServerOptions } from '../../fakeServer/index';
import { clientFor, collect, getJson, postJson, rawSse, wordsOfTokens } from './helpers';

const MODEL = 'Qwen/Qwen3-4B-Instruct-2507';

void suite('fake llamacpp quirks (SERVERS.md §5, §9.4)', () => {
  const servers: FakeServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (opts: Partial<FakeServerOptions> = {}): Promise<FakeServer> => {
    const s = await startFakeServer({ flavour: 'llamacpp', tokensPerSecond: 100_000, ...opts });
    servers.push(s);
    return s;
  };

  void test('discovery: /health, /props n_ctx + total_slots, dual /v1/models, /api/tags decoy', async () => {
    const server = await start({ ctx: 8192, slots: 2, version: 'b6700-abc' });
    assert.deepEqual((await getJson(server, '/health')).body, { status: 'ok' });
    const props = (await getJson(server, '/props')).body;
    assert.equal(props.default_generation_settings.n_ctx, 8192);
    assert.equal(props.total_slots, 2);
    assert.equal(props.build_info, 'b6700-abc');
    const models = (await getJson(server, '/v1/models')).body;
    assert.equal(models.data[0].owned_by, 'llamacpp');
    assert.equal(models.data[0].meta.n_ctx_train, 262144);
    assert.equal(models.data[0].meta.n_ctx, 8192);
    assert.equal(models.models[0].name, MODEL);
    assert.deepEqual((await getJson(server, '/api/tags')).body, models);
    const old = await start({ llamacppEra: 'old' });
    assert.equal((await getJson(old, '/v1/models')).body.data[0].meta.n_ctx, undefined);
  });

  void test('/health is 503 unavailable_error while loading', async () => {
    const server = await start({ loadingMs: 60_000 });
    const res = await getJson(server, '/health');
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
  });

  void test('/apply-template + /tokenize and /v1/chat/completions/input_tokens match usage.prompt_tokens', async () => {
    const server = await start();
    const messages = [{ role: 'user' as const, content: 'Count the 42 tokens, 请.' }];
    const { prompt } = (await postJson(server, '/apply-template', { messages })).body as { prompt: string };
    const tokens = (await postJson(server, '/tokenize', { content: prompt, add_special: true, parse_special: true })).body
      .tokens as number[];
    assert.equal(tokens.length, countPromptTokens(messages));
    const pieces = (await postJson(server, '/tokenize', { content: prompt, with_pieces: true })).body.tokens as Array<{
      id: number;
      piece: string;
    }>;
    assert.equal(pieces.map((p) => p.piece).join(''), prompt);
    assert.equal((await postJson(server, '/v1/chat/completions/input_tokens', { messages })).body.input_tokens, tokens.length);
    const res = await clientFor(server).chat.completions.create({ model: MODEL, messages });
    assert.equal(res.usage?.prompt_tokens, tokens.length);
  });

  void test('prompt ≥ n_ctx → 400 exceed_context_size_error with n_prompt_tokens and n_ctx (streaming too)', async () => {
    const server = await start({ ctx: 512 });
    const messages = [{ role: 'user' as const, content: wordsOfTokens(600) }];
    const p = countPromptTokens(messages);
    await assert.rejects(clientFor(server).chat.completions.create({ model: MODEL, messages, stream: true }), (e: unknown) => {
      assert.ok(e instanceof BadRequestError);
      assert.equal(e.type, 'exceed_context_size_error');
      assert.equal(e.message, `400 request (${p} tokens) exceeds the available context size (512 tokens), try increasing it`);
      assert.deepEqual([(e.error as { n_prompt_tokens: number }).n_prompt_tokens, (e.error as { n_ctx: number }).n_ctx], [p, 512]);
      return true;
    });
  });

  void test('old era: streamed overflow is HTTP 200 + `error:` SSE line the openai client never sees', async () => {
    const server = await start({ ctx: 512, overflowMode: 'inStreamError' });
    const messages = [{ role: 'user' as const, content: wordsOfTokens(600) }];
    const got = await collect(await clientFor(server).chat.completions.create({ model: MODEL, messages, stream: true }));
    assert.deepEqual([got.text, got.finishReason, got.chunks], ['', null, 0]);
    const raw = await rawSse(server, { model: MODEL, messages, stream: true });
    assert.equal(raw.status, 200);
    assert.match(raw.text, /^error: \{"code":400,.*"type":"exceed_context_size_error"/);
    assert.equal(raw.frames.at(-1), '[DONE]');
  });

  void test('no prompt + max_tokens pre-check: generation stops at n_ctx with finish_reason length', async () => {
    const server = await start({ ctx: 512, reply: wordsOfTokens(1000) });
    const messages = [{ role: 'user' as const, content: wordsOfTokens(400) }];
    const res = await clientFor(server).chat.completions.create({ model: MODEL, messages, max_tokens: 4000 });
    assert.equal(res.choices[0]?.finish_reason, 'length');
    assert.equal((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0), 512);
  });

  void test('wire format: role chunk with content null, separate finish chunk, usage chunk with timings', async () => {
    const server = await start({ reply: { chunks: ['Hi'] } });
    const { frames } = await rawSse(server, {
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = frames
      .slice(0, -1)
      .map((f) => JSON.parse(f) as { choices: Array<Record<string, unknown>>; usage?: unknown; timings?: { prompt_n: number } });
    assert.deepEqual(chunks[0]?.choices[0], { index: 0, delta: { role: 'assistant', content: null }, finish_reason: null });
    assert.deepEqual(chunks[1]?.choices[0], { index: 0, delta: { content: 'Hi' }, finish_reason: null });
    assert.deepEqual(chunks[2]?.choices[0], { index: 0, delta: {}, finish_reason: 'stop' });
    assert.deepEqual(chunks[3]?.choices, []);
    assert.equal(chunks[3]?.timings?.prompt_n, countPromptTokens([{ role: 'user', content: 'x' }]));
    assert.equal(frames.at(-1), '[DONE]');
  });

  void test('`: ping` comments are ignored by the client', async () => {
    const server = await start({ ssePing: true, reply: 'pong' });
    const raw = await rawSse(server, { model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
    assert.match(raw.text, /^: ping\n\n/);
    const got = await collect(
      await clientFor(server).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }),
    );
    assert.equal(got.text, 'pong');
  });

  void test('response_format: json_object with schema and json_schema work; other types are a 400', async () => {
    const server = await start();
    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
    const a = await clientFor(server).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_object', schema } as never,
    });
    assert.deepEqual(JSON.parse(a.choices[0]?.message.content ?? ''), { n: 0 });
    const bad = await postJson(server, '/v1/chat/completions', {
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'grammar' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.message, 'response_format type must be one of "text" or "json_object", but got: grammar');
  });

  void test('/slots lists every slot; fail_on_no_slot=1 gives 503 when all are busy', async () => {
    const server = await start({ slots: 1, tokensPerSecond: 100, reply: wordsOfTokens(30) });
    assert.equal((await getJson(server, '/slots')).body.length, 1);
    const busy = clientFor(server).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    while (server.chatRequests()[0]?.startedAt === undefined) await new Promise((r) => setTimeout(r, 5));
    const res = await getJson(server, '/slots?fail_on_no_slot=1');
    assert.equal(res.status, 503);
    assert.equal(res.body.error.type, 'unavailable_error');
    await busy;
  });

  void test('API key: 401 authentication_error except on public paths', async () => {
    const server = await start({ apiKey: 'k' });
    assert.equal((await getJson(server, '/v1/models')).status, 200);
    assert.equal((await getJson(server, '/health')).status, 200);
    const props = await getJson(server, '/props');
    assert.deepEqual([props.status, props.body], [401, { error: { code: 401, message: 'Invalid API Key', type: 'authentication_error' } }]);
    await assert.rejects(
      clientFor(server, 'bad').chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof AuthenticationError && e.message === '401 Invalid API Key',
    );
  });
});
