import { after, suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { countPromptTokens, startFakeServer, type FakeServer, type Flavour } from '../../fakeServer/index';
import { clientFor, collect } from './helpers';

const NOTE =
  'Summarize my note.\n\nThe trial enrolled 412 patients at 3 sites between 2019 and 2021.\nMortality fell from 12% to 9% in the treated group.';
const MESSAGES = [
  { role: 'system' as const, content: 'You are a careful research assistant.' },
  { role: 'user' as const, content: NOTE },
];
const MODEL: Record<Flavour, string> = {
  ollama: 'qwen3:4b-instruct-2507',
  lmstudio: 'qwen/qwen3-4b-2507',
  vllm: 'Qwen/Qwen3-4B-Instruct-2507',
  llamacpp: 'Qwen/Qwen3-4B-Instruct-2507',
};

for (const flavour of ['ollama', 'lmstudio', 'vllm', 'llamacpp'] as const) {
  void suite(`fake ${flavour}: chat completions through the official openai client`, () => {
    const servers: FakeServer[] = [];
    after(async () => {
      await Promise.all(servers.map((s) => s.close()));
    });
    const start = async (opts: Partial<Parameters<typeof startFakeServer>[0]> = {}): Promise<FakeServer> => {
      const s = await startFakeServer({ flavour, tokensPerSecond: 100_000, ...opts });
      servers.push(s);
      return s;
    };

    void test('streams the canned answer with finish_reason stop and usage', async () => {
      const server = await start();
      const stream = await clientFor(server).chat.completions.create({
        model: MODEL[flavour],
        messages: MESSAGES,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 500,
      });
      const got = await collect(stream);
      assert.equal(got.finishReason, 'stop');
      assert.match(got.text, /canned demo output/);
      assert.ok(got.text.includes('The trial enrolled 412 patients at 3 sites between 2019 and 2021.'), got.text);
      assert.equal(got.usage?.prompt_tokens, countPromptTokens(MESSAGES));
      assert.ok((got.usage?.completion_tokens ?? 0) > 10);
      assert.equal(server.chatRequests().length, 1);
      assert.equal(server.chatRequests()[0]?.promptTokens, countPromptTokens(MESSAGES));
    });

    void test('non-streaming answer carries usage and the scripted text', async () => {
      const server = await start({ reply: 'Scripted answer.' });
      const res = await clientFor(server).chat.completions.create({ model: MODEL[flavour], messages: MESSAGES, max_tokens: 100 });
      assert.equal(res.choices[0]?.message.content, 'Scripted answer.');
      assert.equal(res.choices[0]?.finish_reason, 'stop');
      assert.equal(res.usage?.prompt_tokens, countPromptTokens(MESSAGES));
      assert.equal(res.usage?.completion_tokens, 4); // "Scri" "pted" " answ" "er."
    });

    void test('queued replies are used in order, then the reply option', async () => {
      const server = await start({ reply: 'fallback' });
      server.queueReplies('first', { chunks: ['sec', 'ond'] });
      const client = clientFor(server);
      const texts: string[] = [];
      for (let i = 0; i < 3; i++) {
        texts.push((await collect(await client.chat.completions.create({ model: MODEL[flavour], messages: MESSAGES, stream: true }))).text);
      }
      assert.deepEqual(texts, ['first', 'second', 'fallback']);
    });

    void test('max_tokens cuts the answer with finish_reason length', async () => {
      const server = await start();
      const got = await collect(
        await clientFor(server).chat.completions.create({ model: MODEL[flavour], messages: MESSAGES, stream: true, max_tokens: 5 }),
      );
      assert.equal(got.finishReason, 'length');
      assert.ok(got.text.length > 0 && got.text.length < 40, got.text);
    });

    void test('thinking models stream reasoning separately from the answer', async () => {
      const server = await start({ thinking: true, reply: { text: 'Answer.', reasoning: 'Thinking it over.' } });
      const got = await collect(
        await clientFor(server).chat.completions.create({ model: MODEL[flavour], messages: MESSAGES, stream: true }),
      );
      assert.equal(got.reasoning, 'Thinking it over.');
      assert.equal(got.text, 'Answer.');
    });

    void test('json_schema requests get a JSON instance of the schema', async () => {
      const server = await start();
      const schema = {
        type: 'object',
        properties: {
          title: { type: 'string' },
          year: { type: 'integer', minimum: 1900 },
          tags: { type: 'array', items: { type: 'string' } },
          ok: { type: 'boolean' },
        },
        required: ['title', 'year', 'tags', 'ok'],
      };
      const res = await clientFor(server).chat.completions.create({
        model: MODEL[flavour],
        messages: MESSAGES,
        response_format: { type: 'json_schema', json_schema: { name: 'paper', schema } },
      });
      const value = JSON.parse(res.choices[0]?.message.content ?? '') as { title: unknown; year: unknown; tags: unknown; ok: unknown };
      assert.equal(typeof value.title, 'string');
      assert.equal(value.year, 1900);
      assert.ok(Array.isArray(value.tags) && value.tags.length === 1);
      assert.equal(value.ok, false);
    });
  });
}
