import { after, suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestError, NotFoundError } from 'openai';
import { countPromptTokens, startFakeServer, type FakeServer, type FakeServerOptions } from '../../fakeServer/index';
import { clientFor, collect, getJson, postJson, wordsOfTokens } from './helpers';

const MODEL = 'qwen/qwen3-4b-2507';

void suite('fake lmstudio quirks (SERVERS.md §3, §9.2)', () => {
  const servers: FakeServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (opts: Partial<FakeServerOptions> = {}): Promise<FakeServer> => {
    const s = await startFakeServer({ flavour: 'lmstudio', tokensPerSecond: 100_000, ...opts });
    servers.push(s);
    return s;
  };

  void test('unknown paths and methods answer HTTP 200 with an error body and X-Powered-By: Express', async () => {
    const server = await start();
    const x = await getJson(server, '/x');
    assert.equal(x.status, 200);
    assert.deepEqual(x.body, { error: 'Unexpected endpoint or method. (GET /x)' });
    assert.equal(x.headers.get('x-powered-by'), 'Express');
    const version = await getJson(server, '/api/version');
    assert.equal(version.status, 200);
    assert.deepEqual(version.body, { error: 'Unexpected endpoint or method. (GET /api/version)' });
    assert.deepEqual((await postJson(server, '/v1/models', {})).body, { error: 'Unexpected endpoint or method. (POST /v1/models)' });
  });

  void test('model lists: /v1/models without context, /api/v0 and /api/v1 with the loaded context', async () => {
    const server = await start({ ctx: 8192, trainedCtx: 262144 });
    const v1 = await getJson(server, '/v1/models');
    assert.deepEqual(v1.body, { data: [{ id: MODEL, object: 'model', owned_by: 'organization_owner' }], object: 'list' });
    const v0 = (await getJson(server, '/api/v0/models')).body.data[0];
    assert.equal(v0.state, 'loaded');
    assert.equal(v0.max_context_length, 262144);
    assert.equal(v0.loaded_context_length, 8192);
    const rest = (await getJson(server, '/api/v1/models')).body.models[0];
    assert.equal(rest.loaded_instances[0].config.context_length, 8192);
    assert.equal(rest.max_context_length, 262144);
  });

  void test('response_format json_object is a 400 with a string error; json_schema and text work', async () => {
    const server = await start({ reply: '{"a":1}' });
    const client = clientFor(server);
    await assert.rejects(
      client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        response_format: { type: 'json_object' },
      }),
      (e: unknown) => {
        assert.ok(e instanceof BadRequestError);
        assert.equal(e.message, `400 "'response_format.type' must be 'json_schema' or 'text'"`);
        return true;
      },
    );
    const ok = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' } } },
    });
    assert.equal(ok.choices[0]?.message.content, '{"a":1}');
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], response_format: { type: 'text' } });
  });

  void test('unknown model → 404 model_not_found; ignoreModelName answers with the loaded model', async () => {
    const strict = await start();
    await assert.rejects(
      clientFor(strict).chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof NotFoundError && e.code === 'model_not_found' && /Model "default" not found/.test(e.message),
    );
    const lax = await start({ ignoreModelName: true });
    const res = await clientFor(lax).chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(res.model, MODEL);
  });

  const long = [{ role: 'user' as const, content: wordsOfTokens(600) }];

  void test('overflow (a): HTTP 400 "Trying to keep the first N tokens…"', async () => {
    const server = await start({ ctx: 512 });
    await assert.rejects(clientFor(server).chat.completions.create({ model: MODEL, messages: long, stream: true }), (e: unknown) => {
      assert.ok(e instanceof BadRequestError);
      assert.match(
        e.message,
        new RegExp(
          `Trying to keep the first ${countPromptTokens(long)} tokens when context the overflows\\. However, the model is loaded with context length of only 512 tokens`,
        ),
      );
      return true;
    });
  });

  void test('overflow (b): HTTP 200 with an error body (the stream throws, non-stream returns it)', async () => {
    const server = await start({ ctx: 512, overflowMode: 'http200Error' });
    const client = clientFor(server);
    await assert.rejects(
      collect(await client.chat.completions.create({ model: MODEL, messages: long, stream: true })),
      /Trying to keep the first/,
    );
    const raw = await postJson(server, '/v1/chat/completions', { model: MODEL, messages: long });
    assert.equal(raw.status, 200);
    assert.match(raw.body.error, /Trying to keep the first/);
  });

  void test('overflow (c): HTTP 200 well-formed stream with zero content deltas and finish_reason stop', async () => {
    const server = await start({ ctx: 512, overflowMode: 'emptyStream' });
    const got = await collect(
      await clientFor(server).chat.completions.create({
        model: MODEL,
        messages: long,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    assert.equal(got.text, '');
    assert.equal(got.finishReason, 'stop');
    assert.equal(got.usage?.completion_tokens, 0);
    assert.equal(got.usage?.prompt_tokens, countPromptTokens(long));
  });

  void test('reasoning style is selectable: reasoning_content (default), reasoning, inline <think>', async () => {
    const reply = { text: 'Answer.', reasoning: 'Hmm.' };
    const rc = await start({ thinking: true, reply });
    const a = await clientFor(rc).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    assert.equal((a.choices[0]?.message as unknown as { reasoning_content: string }).reasoning_content, 'Hmm.');
    const inline = await start({ thinking: true, reasoningStyle: 'inline-think', reply });
    const b = await collect(
      await clientFor(inline).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }),
    );
    assert.equal(b.text, '<think>\nHmm.\n</think>\n\nAnswer.');
    assert.equal(b.reasoning, '');
    // The /no_think soft switch turns thinking off.
    const c = await collect(
      await clientFor(rc).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x /no_think' }], stream: true }),
    );
    assert.equal(c.reasoning, '');
  });

  void test('/api/v0/chat/completions adds stats and model_info.context_length', async () => {
    const server = await start({ ctx: 6000, reply: 'ok' });
    const res = await postJson(server, '/api/v0/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(res.body.choices[0].message.content, 'ok');
    assert.equal(res.body.model_info.context_length, 6000);
    assert.equal(res.body.stats.stop_reason, 'eosFound');
  });

  void test('API key: 401 without the bearer token', async () => {
    const server = await start({ apiKey: 'secret' });
    assert.equal((await getJson(server, '/v1/models')).status, 401);
    const res = await clientFor(server, 'secret').chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    assert.ok(res.choices[0]?.message.content);
  });
});
