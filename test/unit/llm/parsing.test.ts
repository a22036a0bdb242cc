import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLenientJson } from '../../../src/core/llm/lenientJson';
import { isLoopbackHost, parseEndpoint } from '../../../src/core/llm/endpoint';
import { estimateMessageTokens, estimateTextTokens } from '../../../src/core/llm/tokens';
import { classifyFacts, errorFactsFromBody, summariseBody } from '../../../src/core/llm/classify';
import { hasErrorCode } from '../../../src/core/errors';
import { countPromptTokens, countTokens } from '../../fakeServer/index';

void suite('parseLenientJson', () => {
  void test('plain JSON', () => assert.deepEqual(parseLenientJson('{"a":1}'), { a: 1 }));
  void test('fenced JSON with prose around', () => {
    assert.deepEqual(parseLenientJson('Here you go:\n```json\n{"rows":[{"x":"y"}]}\n```\nHope it helps!'), { rows: [{ x: 'y' }] });
  });
  void test('prose before and after without fences', () => {
    assert.deepEqual(parseLenientJson('Sure! {"a": [1, 2]} That is all.'), { a: [1, 2] });
  });
  void test('trailing commas', () => {
    assert.deepEqual(parseLenientJson('{"a": [1, 2,], "b": {"c": 3,},}'), { a: [1, 2], b: { c: 3 } });
  });
  void test('brackets and commas inside strings are kept', () => {
    assert.deepEqual(parseLenientJson('{"t": "a, } ] \\" {", }'), { t: 'a, } ] " {' });
  });
  void test('top-level array', () => assert.deepEqual(parseLenientJson('result: [1,2,3]'), [1, 2, 3]));
  void test('no JSON → error naming the problem', () => {
    assert.throws(() => parseLenientJson('I cannot do that.'), /no JSON/);
  });
  void test('truncated JSON → error', () => {
    assert.throws(() => parseLenientJson('{"a": [1, 2'), /invalid JSON/);
  });
});

void suite('endpoint parsing and loopback', () => {
  void test('loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]', '::1']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['192.168.1.5', '10.0.0.1', 'example.com', '128.0.0.1', '[::2]', '127.0.0.256'])
      assert.equal(isLoopbackHost(h), false, h);
  });
  void test('`/v1` and trailing slashes are dropped; scheme added', () => {
    assert.deepEqual(parseEndpoint('http://127.0.0.1:1234/v1/', false).roots, ['http://127.0.0.1:1234']);
    assert.deepEqual(parseEndpoint('127.0.0.1:8000', false).roots, ['http://127.0.0.1:8000']);
  });
  void test('localhost is tried as 127.0.0.1 then ::1', () => {
    assert.deepEqual(parseEndpoint('http://localhost:11434', false).roots, ['http://127.0.0.1:11434', 'http://[::1]:11434']);
  });
  void test('remote endpoint refused unless allowed', () => {
    assert.throws(
      () => parseEndpoint('http://192.168.1.20:11434', false),
      (e: unknown) => hasErrorCode(e, 'RemoteEndpointRefused'),
    );
    assert.deepEqual(parseEndpoint('http://192.168.1.20:11434', true).roots, ['http://192.168.1.20:11434']);
  });
  void test('a hostname that only starts with 127 is remote', () => {
    assert.throws(
      () => parseEndpoint('http://127.0.0.1.evil.example:80', false),
      (e: unknown) => hasErrorCode(e, 'RemoteEndpointRefused'),
    );
  });
  void test('invalid URL is a clear error', () => {
    assert.throws(
      () => parseEndpoint('http://exa mple:99', false),
      (e: unknown) => hasErrorCode(e, 'EndpointUnreachable'),
    );
    assert.throws(
      () => parseEndpoint('ftp://127.0.0.1', false),
      (e: unknown) => hasErrorCode(e, 'EndpointUnreachable'),
    );
  });
});

void suite('token estimate', () => {
  // Realistic prose in both scripts: the fake tokenizer approximates BPE (≈4 chars/token Latin, 1 token/char CJK).
  const english = 'The study enrolled 412 adults with type 2 diabetes and followed them for eighteen months. '.repeat(20);
  const chinese = '本研究纳入了四百一十二名二型糖尿病成人患者，随访十八个月，主要终点为糖化血红蛋白的变化。'.repeat(20);
  for (const [name, text] of [
    ['English', english],
    ['Chinese', chinese],
    ['mixed', english + chinese],
  ] as const) {
    void test(`${name}: low ≤ fake count ≤ budget`, () => {
      const messages = [{ role: 'user' as const, content: text }];
      const e = estimateMessageTokens(messages);
      const fake = countPromptTokens(messages);
      assert.ok(e.low <= fake, `low ${e.low} > fake ${fake}`);
      assert.ok(e.budget >= fake, `budget ${e.budget} < fake ${fake}`);
      // The margin is bounded: budgets that are too generous waste the context.
      assert.ok(e.budget <= fake * 1.6 + 64, `budget ${e.budget} too far above ${fake}`);
    });
  }
  void test('CJK is counted per character, Latin per ~4 characters', () => {
    const latin = estimateTextTokens('a'.repeat(400));
    const cjk = estimateTextTokens('中'.repeat(400));
    assert.ok(cjk.low > latin.high, `cjk ${cjk.low} vs latin ${latin.high}`);
    assert.ok(Math.abs(countTokens('中'.repeat(400)) - 400) < 1);
  });
});

void suite('error classification', () => {
  const code = (status: number | undefined, body: unknown): string => classifyFacts(errorFactsFromBody(status, body)).code;
  void test('llama.cpp exceed_context_size_error with numbers', () => {
    const e = classifyFacts(
      errorFactsFromBody(400, {
        error: {
          code: 400,
          message: 'request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it',
          type: 'exceed_context_size_error',
          n_prompt_tokens: 13392,
          n_ctx: 8192,
        },
      }),
    );
    assert.equal(e.code, 'ContextTooLarge');
    assert.equal(e.data.promptTokens, 13392);
    assert.equal(e.data.contextLength, 8192);
  });
  void test('vLLM nested and flat overflow bodies', () => {
    assert.equal(
      code(400, {
        error: {
          message:
            "You passed 31745 input tokens and requested 1024 output tokens. However, the model's context length is only 32768 tokens",
          type: 'BadRequestError',
          code: 400,
        },
      }),
      'ContextTooLarge',
    );
    assert.equal(
      code(400, {
        object: 'error',
        message: "This model's maximum context length is 32768 tokens. However, you requested 33000 tokens",
        type: 'BadRequestError',
        code: 400,
      }),
      'ContextTooLarge',
    );
  });
  void test('LM Studio overflow wording (string error body, HTTP 200)', () => {
    assert.equal(
      code(200, {
        error:
          'Trying to keep the first 5000 tokens when context the overflows. However, the model is loaded with context length of only 4096 tokens',
      }),
      'ContextTooLarge',
    );
  });
  void test('auth, not found, busy, unsupported, server error', () => {
    assert.equal(code(401, { error: 'Unauthorized' }), 'Auth');
    assert.equal(code(404, { error: { message: 'The model `x` does not exist.', type: 'NotFoundError' } }), 'ModelNotFound');
    assert.equal(code(404, { error: { message: 'No models loaded.', code: 'model_not_found' } }), 'ModelNotFound');
    assert.equal(code(503, { error: 'server busy, please try again.  maximum pending requests exceeded' }), 'Busy');
    assert.equal(code(400, { error: "'response_format.type' must be 'json_schema' or 'text'" }), 'UnsupportedParameter');
    assert.equal(code(500, { error: 'model runner has unexpectedly stopped' }), 'ServerError');
  });
  void test('HTML pages become one readable line', () => {
    assert.equal(
      summariseBody('<html><head><title>502 Bad Gateway</title><style>x{}</style></head><body><h1>Bad Gateway</h1></body></html>'),
      '502 Bad Gateway Bad Gateway',
    );
  });
});
