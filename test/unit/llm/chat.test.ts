import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countPromptTokens,
  startFakeServer,
  type FakeServer,
  type FakeServerOptions,
  type Fault,
  type Flavour,
} from '../../fakeServer/index';
import { connect, type ConnectedSession, type ConnectOptions } from '../../../src/core/llm/session';
import { DEFAULT_CONFIG, type AssistantConfig } from '../../../src/core/config';
import { isAssistantError, type AssistantError } from '../../../src/core/errors';
import type { ChatMessage } from '../../../src/core/llm/types';

const FLAVOURS: readonly Flavour[] = ['ollama', 'lmstudio', 'vllm', 'llamacpp'];
const signal = (ms = 10_000): AbortSignal => AbortSignal.timeout(ms);
const user = (content: string): ChatMessage[] => [
  { role: 'system', content: 'You summarise research notes.' },
  { role: 'user', content },
];
const NOTE = 'The trial enrolled 412 adults with type 2 diabetes. HbA1c fell by 0.8 points after 18 months.';

async function withFake(
  options: FakeServerOptions,
  body: (
    fake: FakeServer,
    connectTo: (patch?: Partial<AssistantConfig>, extra?: Partial<ConnectOptions>) => Promise<ConnectedSession>,
  ) => Promise<void>,
): Promise<void> {
  const fake = await startFakeServer(options);
  try {
    await body(fake, (patch = {}, extra = {}) =>
      connect(
        {
          config: { ...DEFAULT_CONFIG, endpoint: fake.url, ...patch },
          retry: { attempts: 2, baseDelayMs: 5 },
          // The fake answers at once; on a machine busy with other work its first reply can still take longer
          // than the default 1.5 s probe timeout (seen in a loaded full run), which is not what these tests test.
          probeTimeoutMs: 10_000,
          ...extra,
        },
        signal(),
      ),
    );
  } finally {
    await fake.close();
  }
}

async function rejectsWith(promise: Promise<unknown>, code: string, detail?: RegExp): Promise<AssistantError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAssistantError(error), `not an AssistantError: ${String(error)}`);
    assert.equal(error.code, code, `${error.code}: ${error.message}`);
    if (detail) assert.match(`${error.message} ${JSON.stringify(error.data)}`, detail);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/** Rewrites chat request bodies on their way to the fake (simulates servers/proxies that ignore fields). */
function rewritingFetch(rewrite: (body: Record<string, unknown>) => void): typeof fetch {
  return (input, init) => {
    if (typeof init?.body === 'string' && String(input).endsWith('/api/chat')) {
      const body = JSON.parse(init.body) as Record<string, unknown>;
      rewrite(body);
      return fetch(input, { ...init, body: JSON.stringify(body) });
    }
    return fetch(input, init);
  };
}

void suite('streaming chat on every flavour', () => {
  for (const flavour of FLAVOURS) {
    void test(`${flavour}: chunks add up to the result; usage, finish, timings`, async () => {
      await withFake({ flavour, reply: { chunks: ['First ', 'part, ', 'second part.'] } }, async (fake, connectTo) => {
        const session = await connectTo();
        const stream = session.stream({ messages: user(NOTE), maxTokens: 200 }, signal());
        const pieces: string[] = [];
        for await (const piece of stream) pieces.push(piece);
        const result = await stream.result;
        assert.equal(pieces.join(''), 'First part, second part.');
        assert.equal(result.text, 'First part, second part.');
        assert.equal(result.finishReason, 'stop');
        assert.equal(result.usage?.promptTokens, fake.chatRequests()[0]?.promptTokens);
        assert.ok((result.usage?.completionTokens ?? 0) > 0);
        assert.ok(result.timings.firstTokenMs >= 0 && result.timings.totalMs >= result.timings.firstTokenMs);
        assert.deepEqual(result.warnings, []);
        const sent = fake.chatRequests()[0]?.body as Record<string, unknown>;
        if (flavour === 'ollama') {
          assert.equal(fake.chatRequests()[0]?.path, '/api/chat');
          assert.equal((sent.options as Record<string, unknown>).num_predict, 200);
        } else {
          assert.equal(sent.max_tokens, 200);
          assert.deepEqual(sent.stream_options, { include_usage: true });
        }
      });
    });

    void test(`${flavour}: finish_reason length is surfaced`, async () => {
      await withFake({ flavour, reply: { text: 'A long answer that was cut off', finishReason: 'length' } }, async (_fake, connectTo) => {
        const result = await (await connectTo()).complete({ messages: user(NOTE), maxTokens: 100 }, signal());
        assert.equal(result.finishReason, 'length');
      });
    });

    void test(`${flavour}: a thinking model's reasoning never reaches the text; thinking-off switch sent`, async () => {
      await withFake({ flavour, thinking: true }, async (fake, connectTo) => {
        const result = await (await connectTo()).complete({ messages: user(NOTE), maxTokens: 300 }, signal());
        assert.doesNotMatch(result.text, /canned reasoning|<think>|<\/think>/);
        assert.ok(result.text.length > 0);
        const sent = fake.chatRequests()[0]?.body as Record<string, unknown>;
        if (flavour === 'ollama') assert.equal(sent.think, false);
        if (flavour === 'vllm' || flavour === 'llamacpp') assert.deepEqual(sent.chat_template_kwargs, { enable_thinking: false });
      });
    });
  }

  for (const style of ['reasoning', 'reasoning_content', 'both', 'inline-think'] as const) {
    void test(`LM Studio reasoning style ${style}: dropped from the answer`, async () => {
      await withFake(
        {
          flavour: 'lmstudio',
          thinking: true,
          reasoningStyle: style,
          reply: { text: 'The visible answer.', reasoning: 'SECRET CHAIN OF THOUGHT' },
        },
        async (_fake, connectTo) => {
          const result = await (await connectTo()).complete({ messages: user(NOTE), maxTokens: 300 }, signal());
          assert.equal(result.text, 'The visible answer.');
        },
      );
    });
  }

  void test('Ollama non-thinking model: no `think` field (a no-op, never a 400)', async () => {
    await withFake({ flavour: 'ollama', thinking: false }, async (fake, connectTo) => {
      await (await connectTo()).complete({ messages: user(NOTE), maxTokens: 50 }, signal());
      assert.equal('think' in (fake.chatRequests()[0]?.body as object), false);
    });
  });

  void test('instruct model with a stray </think>: result text corrected and a warning', async () => {
    await withFake({ flavour: 'vllm', reply: { chunks: ['Leaked reasoning.', '</think>', 'Answer.'] } }, async (_fake, connectTo) => {
      const result = await (await connectTo()).complete({ messages: user(NOTE), maxTokens: 100 }, signal());
      assert.equal(result.text, 'Answer.');
      assert.ok(result.warnings.some((w) => /<\/think>/.test(w)));
    });
  });

  void test('split `</thi` + `nk>` tag across chunks', async () => {
    await withFake(
      { flavour: 'vllm', reply: { chunks: ['<think>plan the', ' answer</thi', 'nk>', 'Answer ', 'text.'] } },
      async (_fake, connectTo) => {
        const stream = (await connectTo()).stream({ messages: user(NOTE), maxTokens: 100 }, signal());
        let streamed = '';
        for await (const piece of stream) streamed += piece;
        assert.equal(streamed, 'Answer text.');
        assert.equal((await stream.result).text, 'Answer text.');
      },
    );
  });

  void test('only a closing </think> (Thinking-2507 template) and an empty <think></think>', async () => {
    // A Thinking model is held back until `</think>`: nothing of the reasoning is streamed.
    await withFake(
      {
        flavour: 'llamacpp',
        models: ['Qwen3-4B-Thinking-2507'],
        reply: { chunks: ['I will reason here first.', '</think>', '\n\nFinal.'] },
      },
      async (fake, connectTo) => {
        const session = await connectTo();
        const stream = session.stream({ messages: user(NOTE), maxTokens: 100 }, signal());
        let streamed = '';
        for await (const piece of stream) streamed += piece;
        assert.equal(streamed, 'Final.');
        assert.equal((await stream.result).text, 'Final.');
        fake.setReply({ chunks: ['<think>', '</think>', 'Direct.'] });
        assert.equal((await session.complete({ messages: user(NOTE), maxTokens: 100 }, signal())).text, 'Direct.');
      },
    );
  });
});

void suite('faults on every flavour', () => {
  const expected: Record<Fault, string> = {
    refuse: 'EndpointUnreachable',
    http500: 'ServerError',
    http503: 'Busy',
    stall: 'Timeout',
    drop: 'SilentFailure',
    malformedSse: 'BadResponse',
    emptyStream: 'SilentFailure',
    htmlError: 'ServerError',
    midStreamError: 'ServerError',
  };
  for (const flavour of FLAVOURS) {
    void test(`${flavour}: each fault becomes its error code, nothing hangs`, async () => {
      await withFake({ flavour }, async (fake, connectTo) => {
        const session = await connectTo({ idleTimeoutSeconds: 0.3, firstTokenTimeoutSeconds: 2 });
        for (const [fault, code] of Object.entries(expected)) {
          fake.setReply({ text: 'An answer long enough to be streamed in several chunks for this test.', fault: fault as Fault });
          const started = Date.now();
          const error = await rejectsWith(session.complete({ messages: user(NOTE), maxTokens: 100 }, signal()), code);
          assert.ok(Date.now() - started < 5000, `${fault} took too long`);
          if (fault === 'htmlError') assert.doesNotMatch(String(error.data.detail), /<html|<body/);
        }
      });
    });
  }

  void test('Ollama mid-stream error (empty chunk, no done) is never a success', async () => {
    await withFake(
      { flavour: 'ollama', reply: { text: 'partial answer here and more words', fault: 'midStreamError' } },
      async (_fake, connectTo) => {
        await rejectsWith((await connectTo()).complete({ messages: user(NOTE), maxTokens: 100 }, signal()), 'ServerError', /runner/);
      },
    );
  });

  void test('503 is retried with backoff, then succeeds', async () => {
    await withFake({ flavour: 'vllm' }, async (fake, connectTo) => {
      fake.queueReplies({ fault: 'http503' }, { fault: 'http503' }, 'Recovered answer.');
      const result = await (await connectTo()).complete({ messages: user(NOTE), maxTokens: 100 }, signal());
      assert.equal(result.text, 'Recovered answer.');
      assert.equal(fake.chatRequests().length, 3);
    });
  });

  void test('connection refused is retried, then reported', async () => {
    await withFake({ flavour: 'llamacpp', reply: { fault: 'refuse' } }, async (fake, connectTo) => {
      await rejectsWith((await connectTo()).complete({ messages: user(NOTE), maxTokens: 100 }, signal()), 'EndpointUnreachable');
      assert.equal(fake.chatRequests().length, 3);
    });
  });

  void test('first-token timeout is a timer, not a wall clock: slow but steady streams finish', async () => {
    await withFake({ flavour: 'lmstudio', reply: { text: 'late', delayMs: 1500 } }, async (fake, connectTo) => {
      const session = await connectTo({ firstTokenTimeoutSeconds: 0.4, idleTimeoutSeconds: 0.4 });
      await rejectsWith(session.complete({ messages: user(NOTE), maxTokens: 100 }, signal()), 'Timeout', /first token/);
      // 40 tokens at 20 tokens/s = 2 s in total, but never 0.4 s without a token.
      fake.setOption({ tokensPerSecond: 20 });
      fake.setReply({ text: 'word '.repeat(40) });
      const result = await session.complete({ messages: user(NOTE), maxTokens: 100 }, signal());
      assert.ok(result.timings.totalMs > 1000, `total ${result.timings.totalMs}`);
    });
  });

  void test('cancel mid-stream: Cancelled, the server sees the disconnect', async () => {
    await withFake({ flavour: 'vllm', tokensPerSecond: 20, reply: { text: 'word '.repeat(100) } }, async (fake, connectTo) => {
      const controller = new AbortController();
      const stream = (await connectTo()).stream({ messages: user(NOTE), maxTokens: 200 }, controller.signal);
      let got = 0;
      const consume = (async () => {
        for await (const _piece of stream) {
          got++;
          if (got === 2) controller.abort();
        }
      })();
      await rejectsWith(stream.result, 'Cancelled');
      await assert.rejects(consume);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(fake.chatRequests()[0]?.aborted, true);
    });
  });

  void test('leaving the loop early (break) cancels the request', async () => {
    await withFake({ flavour: 'ollama', tokensPerSecond: 20, reply: { text: 'word '.repeat(100) } }, async (fake, connectTo) => {
      const stream = (await connectTo()).stream({ messages: user(NOTE), maxTokens: 200 }, signal());
      for await (const _piece of stream) break;
      await rejectsWith(stream.result, 'Cancelled');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The fake's native Ollama path does not set `aborted`; the response ending long before 5 s of tokens shows the disconnect.
      const rec = fake.chatRequests()[0];
      assert.ok(
        rec?.endedAt !== undefined && rec.endedAt - rec.at < 2000,
        `ended after ${String((rec?.endedAt ?? Infinity) - (rec?.at ?? 0))} ms`,
      );
    });
  });
});

void suite('context: Ollama truncation avoided or detected, overflow errors per server', () => {
  const longNote = (tokens: number): string =>
    'Patients were randomised to metformin or placebo in equal numbers. '.repeat(Math.ceil(tokens / 17));

  void test('Ollama: num_ctx sized to the request in 8k steps and never shrinking (no reload back and forth)', async () => {
    await withFake({ flavour: 'ollama', ctx: 4096 }, async (fake, connectTo) => {
      const session = await connectTo();
      const big = await session.complete({ messages: user(longNote(9000)), maxTokens: 500 }, signal());
      const numCtx = (fake.chatRequests()[0]?.body.options as Record<string, number>).num_ctx ?? 0;
      assert.equal(numCtx % 8192, 0);
      assert.ok(numCtx >= countPromptTokens(user(longNote(9000))) + 500, `num_ctx ${numCtx}`);
      assert.deepEqual(big.warnings, []);
      assert.equal(fake.chatRequests()[0]?.originalPromptTokens, undefined, 'the fake truncated the prompt');
      const reloads = fake.reloads;
      await session.complete({ messages: user(NOTE), maxTokens: 100 }, signal());
      assert.equal((fake.chatRequests()[1]?.body.options as Record<string, number>).num_ctx, numCtx);
      assert.equal(fake.reloads, reloads);
    });
  });

  void test('Ollama: a prompt beyond the usable context is refused before sending', async () => {
    await withFake({ flavour: 'ollama', trainedCtx: 8192 }, async (fake, connectTo) => {
      await rejectsWith((await connectTo()).complete({ messages: user(longNote(12000)), maxTokens: 500 }, signal()), 'ContextTooLarge');
      assert.equal(fake.chatRequests().length, 0);
    });
  });

  void test('Ollama 4096-token front truncation is detected when num_ctx is ignored (old server, no truncate:false)', async () => {
    const dropNumCtx = rewritingFetch((body) => {
      delete (body.options as Record<string, unknown>).num_ctx;
    });
    await withFake({ flavour: 'ollama', ctx: 4096, version: '0.12.3' }, async (fake, connectTo) => {
      const session = await connectTo({}, { fetch: dropNumCtx });
      const result = await session.complete({ messages: user(longNote(9000)), maxTokens: 200 }, signal());
      assert.ok(fake.chatRequests()[0]?.originalPromptTokens !== undefined, 'fake did not truncate');
      assert.equal('truncate' in (fake.chatRequests()[0]?.body as object), false);
      assert.ok(
        result.warnings.some((w) => /server dropped input/.test(w)),
        JSON.stringify(result.warnings),
      );
    });
  });

  void test('Ollama ≥ 0.12.4: truncate:false turns an overflow into ContextTooLarge', async () => {
    const dropNumCtx = rewritingFetch((body) => {
      delete (body.options as Record<string, unknown>).num_ctx;
    });
    await withFake({ flavour: 'ollama', ctx: 4096, version: '0.12.6' }, async (fake, connectTo) => {
      await rejectsWith(
        (await connectTo({}, { fetch: dropNumCtx })).complete({ messages: user(longNote(9000)), maxTokens: 200 }, signal()),
        'ContextTooLarge',
      );
      assert.equal(fake.chatRequests()[0]?.body.truncate, false);
    });
  });

  // The user's context override is larger than what the server really loaded, so the request goes out and the server reacts.
  void test('LM Studio overflow: 400, 200-with-error and empty stream are all errors', async () => {
    for (const [mode, code] of [
      ['http400', 'ContextTooLarge'],
      ['http200Error', 'ContextTooLarge'],
      ['emptyStream', 'SilentFailure'],
    ] as const) {
      await withFake({ flavour: 'lmstudio', ctx: 2048, overflowMode: mode }, async (_fake, connectTo) => {
        await rejectsWith(
          (await connectTo({ contextLength: 100_000 })).complete({ messages: user(longNote(4000)), maxTokens: 200 }, signal()),
          code,
        );
      });
    }
  });

  void test('llama.cpp exceed_context_size_error (400) carries the numbers', async () => {
    await withFake({ flavour: 'llamacpp', ctx: 2048 }, async (_fake, connectTo) => {
      const error = await rejectsWith(
        (await connectTo()).complete({ messages: user(longNote(4000)), maxTokens: 200 }, signal()),
        'ContextTooLarge',
      );
      assert.equal(error.data.contextLength, 2048);
      assert.ok(Number(error.data.promptTokens) > 2048);
    });
  });

  void test('llama.cpp old in-stream `error:` SSE field (ignored by openai-node) is caught', async () => {
    await withFake({ flavour: 'llamacpp', ctx: 2048, overflowMode: 'inStreamError' }, async (_fake, connectTo) => {
      await rejectsWith((await connectTo()).complete({ messages: user(longNote(4000)), maxTokens: 200 }, signal()), 'ContextTooLarge');
    });
  });

  void test('vLLM 400 overflow: nested (new) and flat (old) bodies', async () => {
    for (const era of ['new', 'mid', 'old'] as const) {
      await withFake({ flavour: 'vllm', ctx: 2048, vllmEra: era }, async (_fake, connectTo) => {
        await rejectsWith((await connectTo()).complete({ messages: user(longNote(4000)), maxTokens: 200 }, signal()), 'ContextTooLarge');
      });
    }
  });
});

void suite('models, tokens and structured output', () => {
  void test('LM Studio answering with another model than asked → warning with the real model', async () => {
    await withFake({ flavour: 'lmstudio', models: ['qwen/qwen3-4b-2507'], ignoreModelName: true }, async (_fake, connectTo) => {
      // The listing claims a second model (JIT lists downloaded models); LM Studio answers with the loaded one.
      const listing: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (!String(input).endsWith('/api/v0/models')) return response;
        const body = (await response.json()) as { data: Record<string, unknown>[] };
        body.data.push({ ...body.data[0], id: 'other-model', state: 'not-loaded' });
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      };
      const session = await connectTo({ model: 'other-model' }, { fetch: listing });
      const result = await session.complete({ messages: user(NOTE), maxTokens: 100 }, signal());
      assert.equal(result.model, 'qwen/qwen3-4b-2507');
      assert.ok(result.warnings.some((w) => /model mismatch/.test(w)));
    });
  });

  void test('unknown model at chat time → ModelNotFound', async () => {
    await withFake({ flavour: 'vllm' }, async (fake, connectTo) => {
      const session = await connectTo();
      fake.setOption({ models: ['something-else'] });
      await rejectsWith(session.complete({ messages: user(NOTE), maxTokens: 50 }, signal()), 'ModelNotFound');
    });
  });

  for (const flavour of ['vllm', 'llamacpp'] as const) {
    void test(`${flavour}: exact token count from the server`, async () => {
      await withFake({ flavour }, async (_fake, connectTo) => {
        const messages = user(`${NOTE} 中文的句子也算进去。`);
        const count = await (await connectTo()).countTokens(messages, signal());
        assert.deepEqual(count, { count: countPromptTokens(messages), exact: true });
      });
    });
  }

  void test('Ollama/LM Studio: estimated count is an upper bound of the real count', async () => {
    await withFake({ flavour: 'lmstudio' }, async (_fake, connectTo) => {
      const messages = user(`${NOTE} 本研究纳入了四百一十二名患者。`.repeat(30));
      const count = await (await connectTo()).countTokens(messages, signal());
      assert.equal(count.exact, false);
      assert.ok(count.count >= countPromptTokens(messages));
    });
  });

  const schema = { type: 'object', properties: { rows: { type: 'array', items: { type: 'string' } } }, required: ['rows'] };
  const validate = (value: unknown): { rows: string[] } => {
    const rows = (value as { rows?: unknown }).rows;
    if (!Array.isArray(rows) || !rows.every((r) => typeof r === 'string')) throw new Error('rows must be an array of strings');
    return { rows: rows as string[] };
  };

  for (const flavour of FLAVOURS) {
    void test(`${flavour}: json_schema in the server's shape (never json_object), parsed and validated`, async () => {
      await withFake({ flavour }, async (fake, connectTo) => {
        const { value } = await (
          await connectTo()
        ).completeJson({ messages: user(NOTE), maxTokens: 300, jsonSchema: { name: 'table', schema } }, validate, signal());
        assert.ok(Array.isArray(value.rows));
        const sent = fake.chatRequests()[0]?.body as Record<string, unknown>;
        if (flavour === 'ollama') assert.deepEqual(sent.format, schema);
        else assert.deepEqual(sent.response_format, { type: 'json_schema', json_schema: { name: 'table', schema, strict: true } });
      });
    });
  }

  void test('lenient parse of fenced JSON with a trailing comma', async () => {
    await withFake({ flavour: 'lmstudio', reply: 'Here it is:\n```json\n{"rows": ["a", "b",]}\n```' }, async (_fake, connectTo) => {
      const { value } = await (
        await connectTo()
      ).completeJson({ messages: user(NOTE), maxTokens: 300, jsonSchema: { name: 't', schema } }, validate, signal());
      assert.deepEqual(value, { rows: ['a', 'b'] });
    });
  });

  void test('one repair retry, then a clear BadResponse', async () => {
    await withFake({ flavour: 'vllm' }, async (fake, connectTo) => {
      const session = await connectTo();
      fake.queueReplies('Sorry, no JSON here.', '{"rows": ["fixed"]}');
      const { value } = await session.completeJson(
        { messages: user(NOTE), maxTokens: 300, jsonSchema: { name: 't', schema } },
        validate,
        signal(),
      );
      assert.deepEqual(value, { rows: ['fixed'] });
      const repair = fake.chatRequests()[1]?.body.messages as ChatMessage[];
      assert.match(repair.at(-1)?.content ?? '', /could not be used/);
      fake.queueReplies('{"rows": 3}', 'still not it');
      await rejectsWith(
        session.completeJson({ messages: user(NOTE), maxTokens: 300, jsonSchema: { name: 't', schema } }, validate, signal()),
        'BadResponse',
      );
      assert.equal(fake.chatRequests().length, 4);
    });
  });
});

void suite('streaming starts at once for instruct and hybrid models', () => {
  for (const flavour of FLAVOURS) {
    void test(`${flavour}: the first piece arrives long before the answer ends`, async () => {
      // Hybrid Qwen3 (thinks unless switched off): each server gets its own switch, so no reasoning delays the answer.
      const models = [flavour === 'ollama' ? 'qwen3:8b' : flavour === 'lmstudio' ? 'qwen/qwen3-8b' : 'Qwen/Qwen3-8B'];
      await withFake(
        {
          flavour,
          models,
          thinking: true,
          tokensPerSecond: 20,
          reply: { chunks: ['First. ', ...Array.from({ length: 15 }, () => 'more ')] },
        },
        async (fake, connectTo) => {
          const started = Date.now();
          const stream = (await connectTo()).stream({ messages: user(NOTE), maxTokens: 100 }, signal());
          let firstAt = -1;
          for await (const _piece of stream) if (firstAt < 0) firstAt = Date.now() - started;
          const total = Date.now() - started;
          assert.ok(firstAt >= 0 && firstAt < total / 2, `first piece after ${firstAt} ms of ${total} ms`);
          if (flavour === 'lmstudio') assert.match(JSON.stringify(fake.chatRequests()[0]?.body.messages), /\/no_think/);
        },
      );
    });
  }
});
