import { after, suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { APIConnectionError, APIError } from 'openai';
import { startFakeServer, type FakeServer, type Flavour, type Reply } from '../../fakeServer/index';
import { clientFor, collect, type Collected } from './helpers';

const MODEL: Record<Flavour, string> = {
  ollama: 'qwen3:4b-instruct-2507',
  lmstudio: 'qwen/qwen3-4b-2507',
  vllm: 'Qwen/Qwen3-4B-Instruct-2507',
  llamacpp: 'Qwen/Qwen3-4B-Instruct-2507',
};
const TEXT = 'One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen.';

for (const flavour of ['ollama', 'lmstudio', 'vllm', 'llamacpp'] as const) {
  void suite(`fake ${flavour}: scripted faults`, () => {
    let server: FakeServer;
    const servers: FakeServer[] = [];
    after(async () => {
      await Promise.all(servers.map((s) => s.close()));
    });
    const run = async (reply: Reply, signal?: AbortSignal): Promise<Collected> => {
      server ??= await startFakeServer({ flavour, tokensPerSecond: 100_000 });
      if (!servers.includes(server)) servers.push(server);
      server.queueReplies(reply);
      const stream = await clientFor(server).chat.completions.create(
        { model: MODEL[flavour], messages: [{ role: 'user', content: 'x' }], stream: true },
        { signal },
      );
      return collect(stream);
    };

    void test('drop: the stream ends without finish_reason or [DONE], and the client does not throw', async () => {
      const got = await run({ text: TEXT, fault: 'drop' });
      assert.equal(got.finishReason, null);
      assert.ok(got.text.length > 0 && got.text.length < TEXT.length, got.text);
    });

    void test('malformedSse: the client throws on invalid JSON', async () => {
      await assert.rejects(run({ text: TEXT, fault: 'malformedSse' }));
    });

    void test('http503 / http500 / htmlError: real HTTP statuses', async () => {
      await assert.rejects(run({ fault: 'http503' }), (e: unknown) => e instanceof APIError && e.status === 503);
      await assert.rejects(run({ fault: 'http500' }), (e: unknown) => e instanceof APIError && e.status === 500);
      await assert.rejects(
        run({ fault: 'htmlError' }),
        (e: unknown) => e instanceof APIError && e.status === 502 && /Bad Gateway/.test(e.message),
      );
    });

    void test('refuse: connection error', async () => {
      await assert.rejects(run({ fault: 'refuse' }), (e: unknown) => e instanceof APIConnectionError);
    });

    void test('stall: some chunks, then silence until the client aborts', async () => {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 300);
      let got: Collected | undefined;
      try {
        got = await run({ text: TEXT, fault: 'stall' }, controller.signal);
      } catch {
        // an abort may surface as APIUserAbortError depending on timing; either way the stream stalled
      }
      assert.ok(Date.now() - started >= 250);
      if (got) assert.equal(got.finishReason, null);
      for (let i = 0; i < 100 && server.chatRequests().at(-1)?.aborted === undefined; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(server.chatRequests().at(-1)?.aborted, true);
    });

    void test('emptyStream: zero content and a normal finish', async () => {
      const got = await run({ text: TEXT, fault: 'emptyStream' });
      assert.deepEqual([got.text, got.finishReason], ['', 'stop']);
    });

    void test("midStreamError: the flavour's own mid-stream failure", async () => {
      if (flavour === 'ollama') {
        // Ollama's /v1 writer drops the error: an empty chunk, then the stream just ends.
        const got = await run({ text: TEXT, fault: 'midStreamError' });
        assert.equal(got.finishReason, null);
      } else {
        await assert.rejects(run({ text: TEXT, fault: 'midStreamError' }), /fake mid-stream fault/);
      }
    });
  });
}
