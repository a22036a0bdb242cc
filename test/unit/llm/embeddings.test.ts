import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countTokens,
  DEFAULT_EMBEDDING_MODELS,
  fakeEmbedding,
  startFakeServer,
  type FakeServer,
  type Flavour,
} from '../../fakeServer/index';
import { DEFAULT_CONFIG, type AssistantConfig } from '../../../src/core/config';
import { AssistantError, isAssistantError } from '../../../src/core/errors';
import {
  BATCH_INPUTS,
  connectEmbedder,
  EMBEDDING_FALLBACK_CONTEXT,
  fitToTokens,
  inputBudget,
  pickEmbeddingModel,
  ServerEmbedder,
  type EmbedderOptions,
} from '../../../src/core/llm/embeddings';
import { estimateTokens } from '../../../src/core/llm/tokens';
import { nullLogger } from '../../../src/core/ports/logger';
import { createLlmProvider } from '../../../src/core/llmProvider';

const signal = (): AbortSignal => AbortSignal.timeout(20_000);
const fast = { attempts: 3, baseDelayMs: 1 };
const options = (fake: FakeServer, patch: Partial<AssistantConfig> = {}, extra: Partial<EmbedderOptions> = {}): EmbedderOptions => ({
  config: { ...DEFAULT_CONFIG, endpoint: fake.url, ...patch },
  retry: fast,
  ...extra,
});
/** Words of three letters: one token each for the fake tokenizer. */
const words = (n: number, offset = 0): string => Array.from({ length: n }, (_, i) => `w${(i + offset) % 97}x`).join(' ');

async function withFake(flavour: Flavour, extra: Record<string, unknown>, run: (fake: FakeServer) => Promise<void>): Promise<void> {
  const fake = await startFakeServer({ flavour, embeddingModels: DEFAULT_EMBEDDING_MODELS[flavour], ...extra });
  try {
    await run(fake);
  } finally {
    await fake.close();
  }
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<AssistantError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAssistantError(error), String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

const close = (a: Float32Array | undefined, b: readonly number[]): boolean =>
  a !== undefined && a.every((x, i) => Math.abs(x - (b[i] ?? 0)) < 1e-6);

void suite('embedder: detection and the real input limit on every flavour', () => {
  const expected: Record<Flavour, { model: string; limit: number }> = {
    // The model's trained context (/api/show), sent as num_ctx.
    ollama: { model: 'qwen3-embedding:0.6b', limit: 1024 },
    // The v0 listing's loaded context.
    lmstudio: { model: 'text-embedding-qwen3-embedding-0.6b', limit: 1024 },
    // max_model_len of the embedding model.
    vllm: { model: 'Qwen/Qwen3-Embedding-0.6B', limit: 1024 },
    // The physical batch, whatever the slot context says.
    llamacpp: { model: 'Qwen3-Embedding-0.6B', limit: 512 },
  };
  for (const flavour of ['ollama', 'lmstudio', 'vllm', 'llamacpp'] as const) {
    void test(`${flavour}: auto-picks the embedding model, reads its limit and dimensions, embeds in its wire shape`, async () => {
      await withFake(flavour, { embeddingCtx: flavour === 'llamacpp' ? 512 : 1024, embeddingDimensions: 48 }, async (fake) => {
        const embedder = await connectEmbedder(options(fake), signal());
        assert.ok(embedder);
        assert.equal(embedder.model, expected[flavour].model);
        assert.equal(embedder.maxInputTokens, expected[flavour].limit);
        assert.equal(embedder.dimensions, 48);
        // One probe request found the dimensions.
        assert.equal(fake.embeddingRequests().length, 1);
        const [a, b] = await embedder.embed(['graph neural networks', '图神经网络'], signal());
        assert.ok(close(a, fakeEmbedding('graph neural networks', 48)));
        assert.ok(close(b, fakeEmbedding('图神经网络', 48)));
        const last = fake.embeddingRequests().at(-1);
        assert.equal(last?.path, flavour === 'ollama' ? '/api/embed' : '/v1/embeddings');
        if (flavour === 'ollama') {
          assert.equal(last?.body.truncate, false);
          assert.equal(last?.body.options.num_ctx, 1024);
        }
        assert.equal(fake.chatRequests().length, 0);
      });
    });
  }

  void test('"off" asks the server nothing; a server without an embedding model gives undefined; a named missing model is ModelNotFound', async () => {
    await withFake('ollama', {}, async (fake) => {
      assert.equal(await connectEmbedder(options(fake, { embeddingModel: 'off' }), signal()), undefined);
      assert.equal(fake.requests.length, 0);
      await rejectsWith(connectEmbedder(options(fake, { embeddingModel: 'bge-m3' }), signal()), 'ModelNotFound');
      const named = await connectEmbedder(options(fake, { embeddingModel: 'QWEN3-EMBEDDING:0.6B' }), signal());
      assert.equal(named?.model, 'qwen3-embedding:0.6b');
    });
    const bare = await startFakeServer({ flavour: 'ollama' });
    try {
      assert.equal(await connectEmbedder(options(bare), signal()), undefined);
      assert.equal(bare.embeddingRequests().length, 0);
    } finally {
      await bare.close();
    }
  });

  void test('llama.cpp started without --embeddings: auto gives undefined, a named model is ModelNotFound', async () => {
    const fake = await startFakeServer({ flavour: 'llamacpp', models: ['Qwen/Qwen3-4B-Instruct-2507', 'nomic-embed-text-v1.5'] });
    try {
      assert.equal(await connectEmbedder(options(fake), signal()), undefined);
      await rejectsWith(connectEmbedder(options(fake, { embeddingModel: 'nomic-embed-text-v1.5' }), signal()), 'ModelNotFound');
    } finally {
      await fake.close();
    }
  });
});

void suite('embedder: through the provider hosts use', () => {
  void test('kept for the same settings (one probe), asked again when the setting changes', async () => {
    await withFake('ollama', {}, async (fake) => {
      const provider = createLlmProvider({}, undefined, { retry: fast });
      const config = { ...DEFAULT_CONFIG, endpoint: fake.url };
      const first = await provider.embedder?.(config, signal());
      assert.equal(await provider.embedder?.(config, signal()), first);
      assert.equal(fake.embeddingRequests().length, 1);
      assert.equal(await provider.embedder?.({ ...config, embeddingModel: 'off' }, signal()), undefined);
    });
  });
});

void suite('embedder: picking the model', () => {
  const ids = (...names: string[]): { id: string }[] => names.map((id) => ({ id }));
  void test('multilingual embedders first, chat models never, the server’s own typing wins over the name', () => {
    assert.equal(
      pickEmbeddingModel(ids('qwen3:4b', 'all-minilm:latest', 'nomic-embed-text:latest', 'bge-m3:latest'), '')?.id,
      'bge-m3:latest',
    );
    assert.equal(pickEmbeddingModel(ids('bge-m3:latest', 'qwen3-embedding:0.6b', 'qwen3:8b'), '')?.id, 'qwen3-embedding:0.6b');
    assert.equal(pickEmbeddingModel(ids('mxbai-embed-large:latest', 'snowflake-arctic-embed:33m'), '')?.id, 'mxbai-embed-large:latest');
    assert.equal(pickEmbeddingModel(ids('qwen3:4b', 'llama3.2:3b'), ''), undefined);
    assert.equal(
      pickEmbeddingModel(
        [
          { id: 'my-vectors', embedding: true },
          { id: 'text-embedding-fake', embedding: false },
        ],
        '',
      )?.id,
      'my-vectors',
    );
    assert.equal(pickEmbeddingModel(ids('nomic-embed-text:latest'), 'nomic-embed-text')?.id, 'nomic-embed-text:latest');
  });
});

void suite('embedder: batching and input limits', () => {
  void test('fitToTokens keeps a start of the text within the budget, close to it, in Latin and Chinese', () => {
    const latin = 'Attention layers weigh every token against every other token in the sequence. '.repeat(200);
    const chinese = '注意力机制让每个词元与序列中的其他词元比较权重。'.repeat(300);
    for (const text of [latin, chinese]) {
      const cut = fitToTokens(text, 300);
      assert.ok(text.startsWith(cut));
      assert.ok(estimateTokens(cut) <= 300);
      assert.ok(estimateTokens(cut) >= 240, `${estimateTokens(cut)} tokens kept`);
    }
    assert.equal(fitToTokens('short text', 300), 'short text');
  });

  void test('batches of at most BATCH_INPUTS; every input within the limit; an over-long input is cut, never refused', async () => {
    await withFake('vllm', { embeddingCtx: 128, embeddingDimensions: 16 }, async (fake) => {
      const embedder = await connectEmbedder(options(fake), signal());
      assert.ok(embedder);
      assert.equal(embedder.maxInputTokens, 128);
      const texts = Array.from({ length: 40 }, (_, i) => (i === 7 ? words(3000) : `passage ${i} ${words(20, i)}`));
      texts[3] = '   ';
      const vectors = await embedder.embed(texts, signal());
      assert.equal(vectors.length, 40);
      assert.ok(
        vectors[3]?.every((x) => x === 0),
        'a blank input is a zero vector, not a request',
      );
      const requests = fake.embeddingRequests().slice(1);
      assert.equal(requests.length, Math.ceil(39 / BATCH_INPUTS));
      for (const r of requests) {
        assert.equal(r.status, 200);
        const inputs = r.body.input as string[];
        assert.ok(inputs.length <= BATCH_INPUTS);
        for (const input of inputs) assert.ok(countTokens(input) <= 128, `${countTokens(input)} tokens sent`);
      }
      assert.ok(close(vectors[0], fakeEmbedding(texts[0] as string, 16)));
    });
  });

  void test('a transient failure is retried; cancellation stops at once', async () => {
    await withFake('lmstudio', { embeddingDimensions: 16 }, async (fake) => {
      let failures = 1;
      const flaky: typeof fetch = (input, init) => {
        if (String(input).endsWith('/v1/embeddings') && failures-- > 0) return Promise.reject(new TypeError('fetch failed'));
        return fetch(input, init);
      };
      const embedder = await connectEmbedder(options(fake, {}, { fetch: flaky }), signal());
      assert.ok(embedder);
      assert.equal((await embedder.embed(['a b c'], signal())).length, 1);
      const aborted = new AbortController();
      aborted.abort();
      await rejectsWith(embedder.embed(['a b c'], aborted.signal), 'Cancelled');
    });
  });

  void test('a server refusing what its listing allowed: the batch is split, the long input cut, and later inputs cut up front', async () => {
    // The listing claims 4096 tokens; the model really takes 64 (vLLM's 400 names the real limit).
    await withFake('vllm', { embeddingCtx: 64, embeddingDimensions: 16 }, async (fake) => {
      const lying: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (!String(input).endsWith('/v1/models')) return response;
        const body = (await response.json()) as { data: { id: string; max_model_len: number }[] };
        for (const m of body.data) m.max_model_len = 4096;
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      };
      const embedder = await connectEmbedder(options(fake, {}, { fetch: lying }), signal());
      assert.ok(embedder);
      assert.equal(embedder.maxInputTokens, 2048);
      const vectors = await embedder.embed(['short one', words(400), 'short two'], signal());
      assert.equal(vectors.length, 3);
      assert.ok(close(vectors[2], fakeEmbedding('short two', 16)));
      const statuses = fake.embeddingRequests().map((r) => r.status);
      // probe, the refused batch, the three inputs one by one (the long one refused), the long one cut.
      assert.deepEqual(statuses, [200, 400, 200, 400, 200, 200]);
      const cut = fake.embeddingRequests()[5]?.body.input as string[];
      assert.ok(countTokens(cut[0] as string) <= 64);
      // The lower limit holds from now on: no more refusals.
      const before = fake.embeddingRequests().length;
      await embedder.embed([words(400, 3)], signal());
      assert.deepEqual(
        fake
          .embeddingRequests()
          .slice(before)
          .map((r) => r.status),
        [200],
      );
    });
  });

  void test('a scripted server: the context error of a single input is retried once, cut to half', async () => {
    const sent: string[][] = [];
    let limit = 300;
    const send = (texts: readonly string[]): Promise<number[][]> => {
      sent.push([...texts]);
      if (texts.some((t) => estimateTokens(t) > limit))
        return Promise.reject(new AssistantError('ContextTooLarge', 'the input length exceeds the context length', { data: {} }));
      return Promise.resolve(texts.map(() => [1, 0]));
    };
    const embedder = new ServerEmbedder('m', 2, EMBEDDING_FALLBACK_CONTEXT, send, { retry: fast, logger: nullLogger });
    const text = words(200);
    assert.ok(estimateTokens(text) > inputBudget(EMBEDDING_FALLBACK_CONTEXT));
    const [v] = await embedder.embed([text], signal());
    assert.deepEqual(Array.from(v ?? []), [1, 0]);
    assert.equal(sent.length, 2);
    assert.ok(estimateTokens(sent[0]?.[0] ?? '') <= inputBudget(EMBEDDING_FALLBACK_CONTEXT));
    assert.ok(estimateTokens(sent[1]?.[0] ?? '') <= estimateTokens(sent[0]?.[0] ?? '') / 2 + 1);
    // Refused again after the cut: the error reaches the caller.
    limit = 0;
    await rejectsWith(embedder.embed([text], signal()), 'ContextTooLarge');
  });
});
