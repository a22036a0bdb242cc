import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens, startFakeServer, SHARED_PREFIX_HEADER, type FakeServer, type FakeServerOptions } from '../../fakeServer/index';
import { applyChatTemplate } from '../../fakeServer/tokenizer';

const SOURCES = 'Source [1] The trial enrolled 412 adults with type 2 diabetes. HbA1c fell by 0.8 points after 18 months. '.repeat(20);
const ask = (question: string): Array<{ role: string; content: string }> => [
  { role: 'system', content: 'You answer from the sources only.' },
  { role: 'user', content: `${SOURCES}\n\nQuestion: ${question}` },
];

async function withFake(options: FakeServerOptions, body: (fake: FakeServer) => Promise<void>): Promise<void> {
  const fake = await startFakeServer(options);
  try {
    await body(fake);
  } finally {
    await fake.close();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw server JSON, read field by field
type Json = any;

async function post(fake: FakeServer, path: string, body: unknown): Promise<{ status: number; headers: Headers; json: Json }> {
  const res = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

void suite('fake servers: prefix reuse, slots, reloads', () => {
  void test('llama.cpp: the same prompt again is served from the slot (prompt_n 1, cache_n n-1, cached_tokens); cache_prompt:false evaluates all', async () => {
    await withFake({ flavour: 'llamacpp', slots: 1 }, async (fake) => {
      const body = { model: 'm', messages: ask('What fell?'), max_tokens: 8 };
      const first = await post(fake, '/v1/chat/completions', body);
      const n = first.json.usage.prompt_tokens as number;
      assert.deepEqual([first.json.timings.cache_n, first.json.timings.prompt_n], [0, n]);
      assert.equal(first.headers.get(SHARED_PREFIX_HEADER), '0');
      const again = await post(fake, '/v1/chat/completions', body);
      assert.deepEqual([again.json.timings.cache_n, again.json.timings.prompt_n], [n - 1, 1]);
      assert.equal(again.json.usage.prompt_tokens_details.cached_tokens, n - 1);
      assert.equal(again.headers.get(SHARED_PREFIX_HEADER), String(n));
      const off = await post(fake, '/v1/chat/completions', { ...body, cache_prompt: false });
      assert.equal(off.json.timings.cache_n, 0);
      // A different question on the same sources: everything up to the question is reused.
      const follow = await post(fake, '/v1/chat/completions', { ...body, messages: ask('How many adults?') });
      assert.ok(follow.json.timings.cache_n > 0.9 * follow.json.usage.prompt_tokens, JSON.stringify(follow.json.timings));
      assert.deepEqual(
        fake.stats().chats.map((c) => c.cachedTokens),
        [0, n - 1, 0, follow.json.timings.cache_n],
      );
    });
  });

  void test('llama.cpp: a request goes to the slot with the longest common prefix, or to the id_slot asked for', async () => {
    await withFake({ flavour: 'llamacpp', slots: 3 }, async (fake) => {
      const other = [{ role: 'user', content: 'Completely different text about soil chemistry and nitrogen. '.repeat(10) }];
      await post(fake, '/v1/chat/completions', { messages: ask('First?'), max_tokens: 4, id_slot: 2 });
      await post(fake, '/v1/chat/completions', { messages: other, max_tokens: 4 });
      await post(fake, '/v1/chat/completions', { messages: ask('Second?'), max_tokens: 4 });
      const slots = fake.chatRequests().map((r) => r.slot);
      assert.equal(slots[0], 2);
      assert.notEqual(slots[1], 2);
      assert.equal(slots[2], 2, 'LCP similarity picks the slot holding the same sources');
    });
  });

  void test('llama.cpp: hybrid template — empty think block with enable_thinking:false, in /apply-template too; schema + switch → 400 samplers', async () => {
    await withFake({ flavour: 'llamacpp', thinking: true }, async (fake) => {
      const messages = [{ role: 'user', content: 'Hello, my dog is cute' }];
      const plain = await post(fake, '/apply-template', { messages });
      const off = await post(fake, '/apply-template', { messages, chat_template_kwargs: { enable_thinking: false } });
      assert.equal(plain.json.prompt, applyChatTemplate(messages));
      assert.equal(countTokens(off.json.prompt) - countTokens(plain.json.prompt), 4);
      const chat = await post(fake, '/v1/chat/completions', { messages, max_tokens: 4, chat_template_kwargs: { enable_thinking: false } });
      assert.equal(chat.json.usage.prompt_tokens, countTokens(off.json.prompt));
      const schema = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } };
      const refused = await post(fake, '/v1/chat/completions', {
        messages,
        response_format: schema,
        chat_template_kwargs: { enable_thinking: false },
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.error.message, 'Failed to initialize samplers: std::exception');
      const kept = await post(fake, '/v1/chat/completions', { messages, response_format: schema });
      assert.equal(kept.status, 200);
      assert.equal(typeof JSON.parse(kept.json.choices[0].message.content), 'object');
    });
  });

  void test('llama.cpp: malformed JSON is a 500 server_error; every reply says Server: llama.cpp; the alias answers', async () => {
    await withFake({ flavour: 'llamacpp' }, async (fake) => {
      const bad = await post(fake, '/v1/chat/completions', '{"messages": [');
      assert.equal(bad.status, 500);
      assert.equal(bad.json.error.type, 'server_error');
      assert.equal(bad.headers.get('server'), 'llama.cpp');
      const ok = await post(fake, '/v1/chat/completions', { model: 'whatever', messages: ask('Q?'), max_tokens: 4 });
      assert.equal(ok.headers.get('server'), 'llama.cpp');
      assert.equal(ok.json.model, 'Qwen/Qwen3-4B-Instruct-2507');
    });
  });

  void test('Ollama: /api/chat with other options reloads (counted, delayed), the same options keep the runner and its prompt cache', async () => {
    await withFake({ flavour: 'ollama', preloaded: false, loadMs: 60, prefillTokensPerSecond: 1000 }, async (fake) => {
      const chat = (numCtx: number, question: string): Promise<{ json: Json }> =>
        post(fake, '/api/chat', {
          model: 'qwen3:4b-instruct-2507',
          messages: ask(question),
          stream: false,
          keep_alive: '30m',
          options: { num_ctx: numCtx },
        });
      const first = await chat(16384, 'One?');
      assert.ok(first.json.load_duration >= 50e6, `load ${first.json.load_duration}`);
      const second = await chat(16384, 'Two?');
      assert.ok(second.json.load_duration < 50e6, `no load: ${second.json.load_duration}`);
      assert.ok(second.json.prompt_eval_duration < first.json.prompt_eval_duration / 5, 'the shared prefix is not evaluated again');
      assert.equal(fake.reloads, 0);
      await chat(24576, 'Three?');
      assert.equal(fake.reloads, 1);
      const ps = await (await fetch(`${fake.url}/api/ps`)).json();
      assert.equal(ps.models[0].context_length, 24576);
      assert.ok(Date.parse(ps.models[0].expires_at) - Date.now() > 25 * 60_000, 'keep_alive 30m is honoured');
      const stats = await (await fetch(`${fake.url}/_fake/stats`)).json();
      assert.equal(stats.reloads, 1);
      assert.equal(stats.chats.length, 3);
      assert.ok(stats.chats[1].sharedPrefixTokens > 0.9 * stats.chats[1].promptTokens);
      assert.equal(stats.chats[2].cachedTokens, 0, 'a reload empties the runner cache');
    });
  });
});
