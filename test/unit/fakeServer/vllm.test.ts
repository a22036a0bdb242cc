import { after, suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthenticationError, BadRequestError, NotFoundError } from 'openai';
import { countPromptTokens, startFakeServer, type FakeServer, type FakeServerOptions } from '../../fakeServer/index';
import { clientFor, collect, getJson, postJson, rawSse, wordsOfTokens } from './helpers';

const MODEL = 'Qwen/Qwen3-4B-Instruct-2507';

void suite('fake vllm quirks (SERVERS.md §4, §9.3)', () => {
  const servers: FakeServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (opts: Partial<FakeServerOptions> = {}): Promise<FakeServer> => {
    const s = await startFakeServer({ flavour: 'vllm', tokensPerSecond: 100_000, ...opts });
    servers.push(s);
    return s;
  };

  void test('discovery: /version, /health, /v1/models with max_model_len and owned_by vllm', async () => {
    const server = await start({ ctx: 16384, version: '0.11.0' });
    assert.deepEqual((await getJson(server, '/version')).body, { version: '0.11.0' });
    assert.equal((await getJson(server, '/health')).status, 200);
    const card = (await getJson(server, '/v1/models')).body.data[0];
    assert.equal(card.owned_by, 'vllm');
    assert.equal(card.max_model_len, 16384);
    assert.equal(card.root, MODEL);
    assert.equal(card.permission[0].object, 'model_permission');
    assert.deepEqual((await getJson(server, '/nope')).body, { detail: 'Not Found' });
  });

  void test('/tokenize counts the templated chat exactly like usage.prompt_tokens', async () => {
    const server = await start({ ctx: 16384 });
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'How many 数据 points were there in 2020?' },
    ];
    const tok = await postJson(server, '/tokenize', { model: MODEL, messages });
    assert.equal(tok.body.count, countPromptTokens(messages));
    assert.equal(tok.body.tokens.length, tok.body.count);
    assert.equal(tok.body.max_model_len, 16384);
    const res = await clientFor(server).chat.completions.create({ model: MODEL, messages });
    assert.equal(res.usage?.prompt_tokens, tok.body.count);
  });

  void test('400 when prompt + max_tokens > max_model_len (new era message, nested body)', async () => {
    const server = await start({ ctx: 1000 });
    const messages = [{ role: 'user' as const, content: wordsOfTokens(900) }];
    const p = countPromptTokens(messages);
    assert.ok(p < 1000 && p + 200 > 1000);
    await assert.rejects(
      clientFor(server).chat.completions.create({ model: MODEL, messages, max_tokens: 200, stream: true }),
      (e: unknown) => {
        assert.ok(e instanceof BadRequestError);
        assert.equal(
          e.message,
          `400 You passed ${p} input tokens and requested 200 output tokens. However, the model's context length is only 1000 tokens, resulting in a maximum input length of 800 tokens. Please reduce the length of the input prompt. (parameter=input_tokens, value=${p})`,
        );
        assert.equal(e.param, 'input_tokens');
        assert.equal(e.type, 'BadRequestError');
        return true;
      },
    );
    // Without max_tokens the same prompt fits.
    const ok = await clientFor(server).chat.completions.create({ model: MODEL, messages });
    assert.equal(ok.usage?.prompt_tokens, p);
  });

  void test('old era: flat error body with the "maximum context length" message', async () => {
    const server = await start({ ctx: 1000, vllmEra: 'old' });
    const messages = [{ role: 'user' as const, content: wordsOfTokens(900) }];
    const p = countPromptTokens(messages);
    const res = await postJson(server, '/v1/chat/completions', { model: MODEL, messages, max_tokens: 200 });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      object: 'error',
      message: `This model's maximum context length is 1000 tokens. However, you requested ${p + 200} tokens (${p} in the messages, 200 in the completion). Please reduce the length of the messages or completion.`,
      type: 'BadRequestError',
      param: null,
      code: 400,
    });
    // openai 6.x reads only `body.error`, so a flat body loses its message (earlier openai-node was described as falling back to `body.error || body`).
    await assert.rejects(
      clientFor(server).chat.completions.create({ model: MODEL, messages, max_tokens: 200 }),
      (e: unknown) => e instanceof BadRequestError && e.message === '400 status code (no body)',
    );
  });

  void test('stream_options without stream is a 400; with stream the usage chunk comes by default', async () => {
    const server = await start({ reply: { chunks: ['Hel', 'lo'] } });
    await assert.rejects(
      clientFor(server).chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        stream_options: { include_usage: true },
      }),
      (e: unknown) => e instanceof BadRequestError && /Stream options can only be defined when `stream=True`/.test(e.message),
    );
    const { frames } = await rawSse(server, { model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: {} });
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as { choices: Array<Record<string, unknown>>; usage?: unknown });
    assert.deepEqual(chunks[0]?.choices[0], { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null });
    assert.deepEqual(chunks[2]?.choices[0], {
      index: 0,
      delta: { content: 'lo' },
      logprobs: null,
      finish_reason: 'stop',
      stop_reason: null,
    }); // finish on the last token chunk
    assert.deepEqual(chunks[3]?.choices, []);
    assert.ok(chunks[3]?.usage);
    assert.equal(frames.at(-1), '[DONE]');
  });

  void test('API key guards /v1 only: 401 {"error":"Unauthorized"}, /tokenize and /version stay open', async () => {
    const server = await start({ apiKey: 'k' });
    const denied = await getJson(server, '/v1/models');
    assert.deepEqual([denied.status, denied.body], [401, { error: 'Unauthorized' }]);
    await assert.rejects(
      clientFor(server, 'wrong').chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof AuthenticationError && e.message === '401 "Unauthorized"',
    );
    assert.equal((await getJson(server, '/version')).status, 200);
    assert.equal((await postJson(server, '/tokenize', { model: MODEL, prompt: 'hi' })).status, 200);
    assert.ok(
      (await clientFor(server, 'k').chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })).choices[0],
    );
  });

  void test('unknown model → 404 "The model `x` does not exist."; unknown fields are ignored', async () => {
    const server = await start({ reply: 'ok' });
    await assert.rejects(
      clientFor(server).chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof NotFoundError && e.message === '404 The model `x` does not exist.',
    );
    const res = await postJson(server, '/v1/chat/completions', {
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      options: { num_ctx: 9 },
      guided_json: {},
    });
    assert.equal(res.status, 200);
  });

  void test('reasoning: delta.reasoning by default, reasoning_content for the old era; enable_thinking:false turns it off', async () => {
    const reply = { text: 'A.', reasoning: 'R.' };
    const server = await start({ thinking: true, reply });
    const got = await collect(
      await clientFor(server).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }),
    );
    assert.deepEqual([got.reasoning, got.text], ['R.', 'A.']);
    const { frames } = await rawSse(server, { model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
    assert.ok(frames.some((f) => f.includes('"reasoning":"R."')));
    const old = await start({ thinking: true, reasoningStyle: 'reasoning_content', reply });
    assert.ok(
      (await rawSse(old, { model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true })).frames.some((f) =>
        f.includes('"reasoning_content":"R."'),
      ),
    );
    const off = await collect(
      (await clientFor(server).chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
        chat_template_kwargs: { enable_thinking: false },
      } as never)) as never,
    );
    assert.equal(off.reasoning, '');
    const hidden = await collect(
      (await clientFor(server).chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
        include_reasoning: false,
      } as never)) as never,
    );
    assert.equal(hidden.reasoning, '');
  });
});
