import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cosine,
  countTokens,
  DEFAULT_EMBEDDING_MODELS,
  fakeEmbedding,
  startFakeServer,
  type FakeServer,
  type Flavour,
} from '../../fakeServer/index';
import { getJson, postJson } from './helpers';

const post = postJson;
type Body = Awaited<ReturnType<typeof getJson>>['body'];
const get = async (server: FakeServer, path: string): Promise<Body> => (await getJson(server, path)).body;

/** `n` words of three letters: exactly `n` tokens for the fake tokenizer. */
const words = (n: number): string => Array.from({ length: n }, (_, i) => ['cat', 'dog', 'owl', 'elk'][i % 4]).join(' ');

async function withFake(flavour: Flavour, options: Record<string, unknown>, run: (fake: FakeServer) => Promise<void>): Promise<void> {
  const fake = await startFakeServer({ flavour, embeddingModels: DEFAULT_EMBEDDING_MODELS[flavour], ...options });
  try {
    await run(fake);
  } finally {
    await fake.close();
  }
}

void suite('fake embeddings: vectors that carry meaning', () => {
  void test('deterministic, unit length, texts sharing words are closer than unrelated ones (Latin and Chinese)', () => {
    const a = fakeEmbedding('Transformers use self-attention over tokens', 256);
    assert.deepEqual(a, fakeEmbedding('Transformers use self-attention over tokens', 256));
    assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-9);
    const near = cosine(a, fakeEmbedding('self-attention in transformers', 256));
    const far = cosine(a, fakeEmbedding('The river flooded the valley in spring', 256));
    assert.ok(near > far + 0.2, `${near} vs ${far}`);
    const zh = fakeEmbedding('深度学习模型在图像识别中的应用', 256);
    assert.ok(cosine(zh, fakeEmbedding('图像识别的深度学习方法', 256)) > cosine(zh, fakeEmbedding('今天的天气很好', 256)) + 0.2);
    assert.deepEqual(fakeEmbedding('   ', 8), new Array(8).fill(0));
  });
});

void suite('fake embeddings: Ollama', () => {
  void test('/api/tags, /v1/models and /api/show list the embedding model with its context and length', async () => {
    await withFake('ollama', { embeddingCtx: 1024, embeddingDimensions: 64 }, async (fake) => {
      const tags = await get(fake, '/api/tags');
      assert.ok(tags.models.some((m: { name: string }) => m.name === 'qwen3-embedding:0.6b'));
      assert.ok((await get(fake, '/v1/models')).data.some((m: { id: string }) => m.id === 'qwen3-embedding:0.6b'));
      const show = await post(fake, '/api/show', { model: 'qwen3-embedding:0.6b' });
      assert.deepEqual(show.body.capabilities, ['embedding']);
      assert.equal(show.body.model_info['qwen3.context_length'], 1024);
      assert.equal(show.body.model_info['qwen3.embedding_length'], 64);
    });
  });

  void test('/api/embed: batch input, normalised vectors, prompt_eval_count, dimensions; logged like chat requests', async () => {
    await withFake('ollama', { embeddingDimensions: 32 }, async (fake) => {
      const r = await post(fake, '/api/embed', { model: 'qwen3-embedding:0.6b', input: ['alpha beta', 'gamma'] });
      assert.equal(r.status, 200);
      assert.equal(r.body.model, 'qwen3-embedding:0.6b');
      assert.equal(r.body.embeddings.length, 2);
      assert.equal(r.body.embeddings[0].length, 32);
      assert.deepEqual(r.body.embeddings[1], fakeEmbedding('gamma', 32));
      assert.equal(r.body.prompt_eval_count, countTokens('alpha beta') + countTokens('gamma'));
      const cut = await post(fake, '/api/embed', {
        model: 'qwen3-embedding:0.6b',
        input: 'the quick brown fox jumps over the lazy dog',
        dimensions: 24,
      });
      assert.equal(cut.body.embeddings[0].length, 24);
      assert.ok(Math.abs(Math.hypot(...cut.body.embeddings[0]) - 1) < 1e-9);
      assert.equal(fake.embeddingRequests().length, 2);
      assert.equal(fake.embeddingRequests()[0]?.embeddingInputs, 2);
      assert.equal(fake.chatRequests().length, 0);
    });
  });

  void test('over the context: truncate:false → 400 with the runner text; default truncate cuts silently; legacy → 500', async () => {
    await withFake('ollama', { ctx: 4096, embeddingCtx: 100 }, async (fake) => {
      const long = words(150);
      const refused = await post(fake, '/api/embed', { model: 'qwen3-embedding:0.6b', input: [long], truncate: false });
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body, { error: 'the input length exceeds the context length' });
      const cut = await post(fake, '/api/embed', { model: 'qwen3-embedding:0.6b', input: [long] });
      assert.equal(cut.status, 200);
      assert.equal(cut.body.prompt_eval_count, 100);
      // A num_ctx below the trained context is the limit.
      const small = await post(fake, '/api/embed', {
        model: 'qwen3-embedding:0.6b',
        input: words(60),
        truncate: false,
        options: { num_ctx: 50 },
      });
      assert.equal(small.status, 400);
      const legacy = await post(fake, '/api/embeddings', { model: 'qwen3-embedding:0.6b', prompt: long });
      assert.equal(legacy.status, 500);
      assert.deepEqual(legacy.body, { error: 'the input length exceeds the context length' });
      assert.equal((await post(fake, '/api/embeddings', { model: 'qwen3-embedding:0.6b', prompt: 'x' })).body.embedding.length, 256);
      const v1 = await post(fake, '/v1/embeddings', { model: 'qwen3-embedding:0.6b', input: long });
      assert.equal(v1.status, 200);
      assert.equal(v1.body.usage.prompt_tokens, 100);
      assert.equal((await post(fake, '/api/embed', { model: 'nope', input: 'x' })).status, 404);
    });
  });
});

void suite('fake embeddings: OpenAI shape and each server’s refusal of a long input', () => {
  const cases: { flavour: Flavour; model: string; status: number; body: (tokens: number, limit: number) => unknown }[] = [
    {
      flavour: 'lmstudio',
      model: 'text-embedding-qwen3-embedding-0.6b',
      status: 400,
      body: (t, l) => ({ error: `Input length ${t} exceeds context length ${l}` }),
    },
    {
      flavour: 'vllm',
      model: 'Qwen/Qwen3-Embedding-0.6B',
      status: 400,
      body: (t, l) => ({
        error: {
          message: `This model's maximum context length is ${l} tokens. However, you requested ${t} tokens in the input for embedding generation. Please reduce the length of the input.`,
          type: 'BadRequestError',
          param: null,
          code: 400,
        },
      }),
    },
    {
      flavour: 'llamacpp',
      model: 'Qwen3-Embedding-0.6B',
      status: 500,
      body: (t, l) => ({
        error: {
          code: 500,
          message: `input (${t} tokens) is too large to process. increase the physical batch size (current batch size: ${l})`,
          type: 'server_error',
        },
      }),
    },
  ];
  for (const c of cases) {
    void test(`${c.flavour}: /v1/embeddings shape, then ${c.status} for an input over the limit`, async () => {
      await withFake(c.flavour, { embeddingCtx: 64, embeddingDimensions: 16 }, async (fake) => {
        const ok = await post(fake, '/v1/embeddings', { model: c.model, input: ['one two', 'three'] });
        assert.equal(ok.status, 200);
        assert.equal(ok.body.object, 'list');
        assert.equal(ok.body.model, c.model);
        assert.deepEqual(
          ok.body.data.map((d: { index: number; object: string }) => [d.index, d.object]),
          [
            [0, 'embedding'],
            [1, 'embedding'],
          ],
        );
        assert.deepEqual(ok.body.data[1].embedding, fakeEmbedding('three', 16));
        assert.equal(ok.body.usage.prompt_tokens, countTokens('one two') + countTokens('three'));
        const refused = await post(fake, '/v1/embeddings', { model: c.model, input: ['short', words(80)] });
        assert.equal(refused.status, c.status);
        assert.deepEqual(refused.body, c.body(80, 64));
        assert.equal(fake.embeddingRequests().length, 2);
        assert.equal(fake.embeddingRequests()[1]?.status, c.status);
      });
    });
  }

  void test('listings: LM Studio types the model, vLLM gives its max_model_len, llama.cpp lists it', async () => {
    await withFake('lmstudio', { embeddingCtx: 2048 }, async (fake) => {
      const entry = (await get(fake, '/api/v0/models')).data.find((m: { id: string }) => m.id === 'text-embedding-qwen3-embedding-0.6b');
      assert.equal(entry.type, 'embeddings');
      assert.equal(entry.max_context_length, 2048);
    });
    await withFake('vllm', { embeddingCtx: 8192 }, async (fake) => {
      const entry = (await get(fake, '/v1/models')).data.find((m: { id: string }) => m.id === 'Qwen/Qwen3-Embedding-0.6B');
      assert.equal(entry.max_model_len, 8192);
      const chatModel = await post(fake, '/v1/embeddings', { model: 'Qwen/Qwen3-4B-Instruct-2507', input: 'x' });
      assert.equal(chatModel.status, 400);
    });
    await withFake('llamacpp', {}, async (fake) => {
      assert.ok((await get(fake, '/v1/models')).data.some((m: { id: string }) => m.id === 'Qwen3-Embedding-0.6B'));
    });
  });

  void test('llama.cpp without an embedding model answers 501 (started without --embeddings)', async () => {
    const fake = await startFakeServer({ flavour: 'llamacpp' });
    try {
      const r = await post(fake, '/v1/embeddings', { model: 'x', input: 'x' });
      assert.equal(r.status, 501);
      assert.equal(r.body.error.type, 'not_supported_error');
    } finally {
      await fake.close();
    }
  });
});
