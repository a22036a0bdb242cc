import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { InMemoryKeyValueStore } from '../../../src/core/cache/extractionCache';
import { DEFAULT_CONFIG } from '../../../src/core/config';
import { REMEMBERED_SESSION_MS, rememberingProvider } from '../../../src/core/llm/rememberedSession';
import type { LlmSession, ServerInfo } from '../../../src/core/llm/types';
import type { LlmProvider } from '../../../src/core/ports/llm';

const INFO: ServerInfo = {
  kind: 'vllm',
  baseUrl: 'http://127.0.0.1:8000',
  model: 'qwen3-4b',
  contextLength: 32768,
  contextSource: 'server',
  parallelSlots: 4,
  exactTokenCount: true,
};

function countingProvider(): LlmProvider & { connects: number; down: boolean } {
  const provider = {
    connects: 0,
    down: false,
    session(): Promise<LlmSession> {
      provider.connects++;
      if (provider.down) return Promise.reject(new Error('no model server answered'));
      return Promise.resolve({
        info: INFO,
        countTokens: () => Promise.resolve({ count: 3, exact: true }),
        complete: () => Promise.resolve({ text: 'answer' } as never),
        completeJson: () => Promise.reject(new Error('unused')),
        stream: () => {
          throw new Error('unused');
        },
      });
    },
  };
  return provider;
}

suite('a session remembered across command-line processes', () => {
  const signal = new AbortController().signal;
  const config = { ...DEFAULT_CONFIG, endpoint: 'http://127.0.0.1:8000' };

  test('within a few minutes the remembered identity answers and the server is contacted only for a request', async () => {
    const store = new InMemoryKeyValueStore();
    let clock = 1_000_000;
    const inner = countingProvider();
    const first = rememberingProvider(inner, store, () => clock);
    assert.equal((await first.session(config, signal)).info.model, 'qwen3-4b');
    assert.equal(inner.connects, 1);

    // A new process: a new provider over the same store.
    clock += 60_000;
    const second = rememberingProvider(inner, store, () => clock);
    const lazy = await second.session(config, signal);
    assert.deepEqual(lazy.info, INFO);
    assert.equal(inner.connects, 1, 'a cached answer needs no server');
    assert.deepEqual(await lazy.countTokens([{ role: 'user', content: 'x' }], signal), { count: 3, exact: true });
    await lazy.complete({ messages: [], maxTokens: 10 }, signal);
    assert.equal(inner.connects, 2, 'the first request connects, once');

    clock += REMEMBERED_SESSION_MS;
    await rememberingProvider(inner, store, () => clock).session(config, signal);
    assert.equal(inner.connects, 3, 'too old: the server is asked again');
    await rememberingProvider(inner, store, () => clock).fresh(config, signal);
    assert.equal(inner.connects, 4, 'status always asks the server');
  });

  test('other settings are another server; a failed connection forgets what was remembered', async () => {
    const store = new InMemoryKeyValueStore();
    const inner = countingProvider();
    await rememberingProvider(inner, store).session(config, signal);
    await rememberingProvider(inner, store).session({ ...config, model: 'other' }, signal);
    assert.equal(inner.connects, 2);

    inner.down = true;
    const lazy = await rememberingProvider(inner, store).session(config, signal);
    await assert.rejects(lazy.complete({ messages: [], maxTokens: 10 }, signal), /no model server answered/);
    await assert.rejects(rememberingProvider(inner, store).session(config, signal), /no model server answered/);
    assert.equal(inner.connects, 4, 'nothing remembered after the failure');
  });
});
