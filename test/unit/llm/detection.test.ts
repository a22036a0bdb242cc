import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeServer, type Flavour } from '../../fakeServer/index';
import { connect, discoverModels } from '../../../src/core/llm/session';
import { DEFAULT_CONFIG, type AssistantConfig } from '../../../src/core/config';
import { isAssistantError, type AssistantError } from '../../../src/core/errors';
import { pickModel } from '../../../src/core/llm/discovery';

const config = (patch: Partial<AssistantConfig>): AssistantConfig => ({ ...DEFAULT_CONFIG, ...patch });
const signal = (): AbortSignal => AbortSignal.timeout(10_000);
const portOf = (url: string): number => Number(new URL(url).port);

async function rejectsWith(promise: Promise<unknown>, code: string, detail?: RegExp): Promise<AssistantError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAssistantError(error), `not an AssistantError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (detail) assert.match(`${error.message} ${JSON.stringify(error.data)}`, detail);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/** A plain HTTP server that is not a model server (a dev web server on the port). */
async function startPlainServer(body: string, contentType: string, status = 200): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

void suite('detection against every fake flavour', () => {
  const expected: Record<Flavour, { ctx: number; exact: boolean }> = {
    ollama: { ctx: 32768, exact: false },
    lmstudio: { ctx: 12000, exact: false },
    vllm: { ctx: 12000, exact: true },
    llamacpp: { ctx: 12000, exact: true },
  };
  for (const flavour of ['ollama', 'lmstudio', 'vllm', 'llamacpp'] as const) {
    void test(`${flavour}: explicit URL, kind, usable context, model`, async () => {
      const fake = await startFakeServer({ flavour, ctx: 12000 });
      try {
        const session = await connect({ config: config({ endpoint: `${fake.url}/v1` }) }, signal());
        assert.equal(session.info.kind, flavour);
        assert.equal(session.info.baseUrl, fake.url);
        assert.equal(session.info.contextLength, expected[flavour].ctx);
        assert.equal(session.info.contextSource, 'server');
        assert.equal(session.info.exactTokenCount, expected[flavour].exact);
        assert.match(session.info.model, /qwen3/i);
      } finally {
        await fake.close();
      }
    });

    void test(`${flavour}: auto finds it among the probed ports`, async () => {
      const fake = await startFakeServer({ flavour });
      const dead = await startPlainServer('', 'text/plain');
      const deadPort = portOf(dead.url);
      await dead.close(); // a port with nothing listening
      try {
        const session = await connect({ config: config({ endpoint: 'auto' }), ports: [deadPort, fake.port] }, signal());
        assert.equal(session.info.kind, flavour);
        assert.equal(session.info.baseUrl, fake.url);
      } finally {
        await fake.close();
      }
    });
  }

  void test('llama.cpp serves Ollama-style /api/tags but is not taken for Ollama', async () => {
    const fake = await startFakeServer({ flavour: 'llamacpp' });
    try {
      const tags = await fetch(`${fake.url}/api/tags`);
      assert.equal(tags.status, 200);
      const session = await connect({ config: config({ endpoint: fake.url }) }, signal());
      assert.equal(session.info.kind, 'llamacpp');
    } finally {
      await fake.close();
    }
  });

  void test('LM Studio answers 200 to unknown paths but is recognised as LM Studio', async () => {
    const fake = await startFakeServer({ flavour: 'lmstudio' });
    try {
      const probe = await fetch(`${fake.url}/api/version`);
      assert.equal(probe.status, 200);
      const { server } = await discoverModels({ config: config({ endpoint: fake.url }) }, signal());
      assert.equal(server.kind, 'lmstudio');
    } finally {
      await fake.close();
    }
  });

  void test('llama.cpp slots and Ollama num_ctx bounded by the trained context', async () => {
    const llama = await startFakeServer({ flavour: 'llamacpp', slots: 3 });
    const ollama = await startFakeServer({ flavour: 'ollama', trainedCtx: 8192 });
    try {
      assert.equal((await connect({ config: config({ endpoint: llama.url }) }, signal())).info.parallelSlots, 3);
      assert.equal((await connect({ config: config({ endpoint: ollama.url }) }, signal())).info.contextLength, 8192);
    } finally {
      await llama.close();
      await ollama.close();
    }
  });

  void test('context override wins (bounded by the trained context on Ollama)', async () => {
    const fake = await startFakeServer({ flavour: 'vllm', ctx: 32768 });
    const ollama = await startFakeServer({ flavour: 'ollama', trainedCtx: 40960 });
    try {
      const s = await connect({ config: config({ endpoint: fake.url, contextLength: 20000 }) }, signal());
      assert.equal(s.info.contextLength, 20000);
      assert.equal(s.info.contextSource, 'override');
      const o = await connect({ config: config({ endpoint: ollama.url, contextLength: 100000 }) }, signal());
      assert.equal(o.info.contextLength, 40960);
    } finally {
      await fake.close();
      await ollama.close();
    }
  });
});

void suite('models', () => {
  void test('prefers a Qwen3 instruct model; a configured model must exist', async () => {
    const fake = await startFakeServer({
      flavour: 'vllm',
      models: ['meta/llama-3-8b', 'Qwen/Qwen3-4B-Thinking-2507', 'Qwen/Qwen3-4B-Instruct-2507'],
    });
    try {
      assert.equal((await connect({ config: config({ endpoint: fake.url }) }, signal())).info.model, 'Qwen/Qwen3-4B-Instruct-2507');
      assert.equal(
        (await connect({ config: config({ endpoint: fake.url, model: 'meta/llama-3-8b' }) }, signal())).info.model,
        'meta/llama-3-8b',
      );
      await rejectsWith(connect({ config: config({ endpoint: fake.url, model: 'nope' }) }, signal()), 'ModelNotFound', /nope/);
    } finally {
      await fake.close();
    }
  });

  void test('a model name with `:` and `/` works end to end (Ollama)', async () => {
    const name = 'hf.co/unsloth/Qwen3-4B-Instruct-2507-GGUF:Q4_K_M';
    const fake = await startFakeServer({ flavour: 'ollama', models: [name] });
    try {
      const session = await connect({ config: config({ endpoint: fake.url, model: name }) }, signal());
      assert.equal(session.info.model, name);
      const result = await session.complete(
        { messages: [{ role: 'user', content: 'Say something about the note please.' }], maxTokens: 50 },
        signal(),
      );
      assert.ok(result.text.length > 0);
      assert.equal(fake.chatRequests().at(-1)?.body.model, name);
    } finally {
      await fake.close();
    }
  });

  void test('empty model list → NoModels', async () => {
    for (const flavour of ['ollama', 'vllm'] as const) {
      const fake = await startFakeServer({ flavour, models: [] });
      try {
        await rejectsWith(connect({ config: config({ endpoint: fake.url }) }, signal()), 'NoModels');
      } finally {
        await fake.close();
      }
    }
  });

  void test('pickModel prefers loaded models among equals', () => {
    assert.equal(
      pickModel(
        [
          { id: 'qwen3-4b-instruct', loaded: false },
          { id: 'qwen3-8b-instruct', loaded: true },
        ],
        '',
      ).id,
      'qwen3-8b-instruct',
    );
  });
});

void suite('bad endpoints', () => {
  void test('nothing listening → EndpointUnreachable naming what was probed', async () => {
    const dead = await startPlainServer('', 'text/plain');
    await dead.close();
    await rejectsWith(
      connect({ config: config({ endpoint: dead.url }) }, signal()),
      'EndpointUnreachable',
      new RegExp(String(portOf(dead.url))),
    );
  });

  void test('auto with nothing on any port → EndpointUnreachable listing the ports', async () => {
    const dead = await startPlainServer('', 'text/plain');
    await dead.close();
    await rejectsWith(
      connect({ config: config({ endpoint: 'auto' }), ports: [portOf(dead.url)] }, signal()),
      'EndpointUnreachable',
      /probed/,
    );
  });

  void test('a non-LLM web server on the port (HTML) → clear "not a model server"', async () => {
    const web = await startPlainServer('<!doctype html><html><body>Hello from Vite</body></html>', 'text/html');
    try {
      await rejectsWith(connect({ config: config({ endpoint: web.url }) }, signal()), 'EndpointUnreachable', /not a model server/);
    } finally {
      await web.close();
    }
  });

  void test('an HTML 404 page server is also not a model server', async () => {
    const web = await startPlainServer('<html><body><h1>404 Not Found</h1></body></html>', 'text/html', 404);
    try {
      await rejectsWith(connect({ config: config({ endpoint: web.url }) }, signal()), 'EndpointUnreachable', /not a model server/);
    } finally {
      await web.close();
    }
  });

  void test('a hung server does not hang detection (probe timeout)', async () => {
    const hung = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    const started = Date.now();
    try {
      await rejectsWith(connect({ config: config({ endpoint: url }), probeTimeoutMs: 200 }, signal()), 'EndpointUnreachable');
      assert.ok(Date.now() - started < 5000);
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  void test('remote endpoint refused before any request', async () => {
    let calls = 0;
    const fetchSpy: typeof fetch = (...args) => {
      calls++;
      return fetch(...args);
    };
    await rejectsWith(
      connect({ config: config({ endpoint: 'http://10.1.2.3:11434' }), fetch: fetchSpy }, signal()),
      'RemoteEndpointRefused',
    );
    assert.equal(calls, 0);
  });

  void test('localhost falls back to ::1 when 127.0.0.1 does not answer', async () => {
    const seen: string[] = [];
    const fake = await startFakeServer({ flavour: 'vllm' });
    // Injected fetch: 127.0.0.1 refuses; [::1] is routed to the fake (the test machine may lack IPv6).
    const routed: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      seen.push(url);
      if (url.includes('127.0.0.1')) return Promise.reject(new TypeError('fetch failed'));
      return fetch(url.replace('[::1]', '127.0.0.1'), init);
    };
    try {
      const { server } = await discoverModels({ config: config({ endpoint: `http://localhost:${fake.port}` }), fetch: routed }, signal());
      assert.equal(server.kind, 'vllm');
      assert.ok(seen.some((u) => u.includes('127.0.0.1')) && seen.some((u) => u.includes('[::1]')));
    } finally {
      await fake.close();
    }
  });

  void test('401: vLLM with an API key → Auth without a key, works with it; key sent as Bearer', async () => {
    const fake = await startFakeServer({ flavour: 'vllm', apiKey: 'sk-test-123456789' });
    try {
      await rejectsWith(connect({ config: config({ endpoint: fake.url }) }, signal()), 'Auth');
      const session = await connect({ config: config({ endpoint: fake.url }), apiKey: 'sk-test-123456789' }, signal());
      await session.complete({ messages: [{ role: 'user', content: 'hello there friend' }], maxTokens: 20 }, signal());
      assert.equal(fake.chatRequests().at(-1)?.headers.authorization, 'Bearer sk-test-123456789');
    } finally {
      await fake.close();
    }
  });

  void test('no key configured → no Authorization header is sent', async () => {
    const fake = await startFakeServer({ flavour: 'llamacpp' });
    try {
      const session = await connect({ config: config({ endpoint: fake.url }) }, signal());
      await session.complete({ messages: [{ role: 'user', content: 'hello there friend' }], maxTokens: 20 }, signal());
      assert.equal(fake.chatRequests().at(-1)?.headers.authorization, undefined);
    } finally {
      await fake.close();
    }
  });

  void test('llama.cpp still loading → Busy', async () => {
    const fake = await startFakeServer({ flavour: 'llamacpp', loadingMs: 60_000 });
    try {
      await rejectsWith(connect({ config: config({ endpoint: fake.url }) }, signal()), 'Busy');
    } finally {
      await fake.close();
    }
  });

  void test('cancellation during detection → Cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const fake = await startFakeServer({ flavour: 'ollama' });
    try {
      await rejectsWith(connect({ config: config({ endpoint: fake.url }) }, controller.signal), 'Cancelled');
    } finally {
      await fake.close();
    }
  });
});

void suite('generic OpenAI-compatible server (injected fetch, no HTTP server)', () => {
  const sse = (frames: unknown[]): string => `${frames.map((f) => `data: ${JSON.stringify(f)}\n\n`).join('')}data: [DONE]\n\n`;
  const requests: string[] = [];
  const genericFetch: typeof fetch = (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    requests.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    if (url.pathname === '/v1/models') {
      return Promise.resolve(Response.json({ object: 'list', data: [{ id: 'house-model', object: 'model', owned_by: 'acme' }] }));
    }
    if (url.pathname === '/v1/chat/completions') {
      const chunk = (delta: object, finish: string | null): object => ({
        id: 'x',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'house-model',
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
      return Promise.resolve(
        new Response(sse([chunk({ role: 'assistant', content: 'Hel' }, null), chunk({ content: 'lo' }, null), chunk({}, 'stop')]), {
          headers: { 'content-type': 'text/event-stream' },
        }),
      );
    }
    return Promise.resolve(new Response('Not Found', { status: 404 }));
  };

  void test('unknown server: generic kind, conservative 4096 context, a note asking to set it; chat works', async () => {
    const session = await connect({ config: config({ endpoint: 'http://127.0.0.1:5000' }), fetch: genericFetch }, signal());
    assert.equal(session.info.kind, 'openai-compatible');
    assert.equal(session.info.contextLength, 4096);
    assert.equal(session.info.contextSource, 'default');
    assert.ok(session.notes.some((n) => /contextLength/.test(n)));
    const result = await session.complete({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 }, signal());
    assert.equal(result.text, 'Hello');
    assert.equal(result.usage, undefined);
    assert.ok(requests.includes('POST /v1/chat/completions'), requests.join(', '));
  });

  void test('unknown server with a context override uses it', async () => {
    const session = await connect(
      { config: config({ endpoint: 'http://127.0.0.1:5000', contextLength: 65536 }), fetch: genericFetch },
      signal(),
    );
    assert.equal(session.info.contextLength, 65536);
    assert.equal(session.info.contextSource, 'override');
  });
});

void suite('a generic server that rejects stream_options', () => {
  void test('the request is repeated without stream_options and succeeds', async () => {
    const bodies: Record<string, unknown>[] = [];
    const strictFetch: typeof fetch = (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (url.pathname === '/v1/models')
        return Promise.resolve(Response.json({ object: 'list', data: [{ id: 'm', object: 'model', owned_by: 'x' }] }));
      if (url.pathname === '/v1/chat/completions') {
        const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
        bodies.push(body);
        if ('stream_options' in body)
          return Promise.resolve(
            Response.json(
              { error: { message: 'Unrecognized request argument supplied: stream_options', type: 'invalid_request_error' } },
              { status: 400 },
            ),
          );
        const frame = {
          id: 'x',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'm',
          choices: [{ index: 0, delta: { content: 'OK' }, finish_reason: 'stop' }],
        };
        return Promise.resolve(
          new Response(`data: ${JSON.stringify(frame)}\n\ndata: [DONE]\n\n`, { headers: { 'content-type': 'text/event-stream' } }),
        );
      }
      return Promise.resolve(new Response('Not Found', { status: 404 }));
    };
    const session = await connect({ config: config({ endpoint: 'http://127.0.0.1:5001' }), fetch: strictFetch }, signal());
    const result = await session.complete({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 }, signal());
    assert.equal(result.text, 'OK');
    assert.equal(bodies.length, 2);
    assert.equal('stream_options' in (bodies[1] ?? {}), false);
  });
});
