import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { DEFAULT_CONFIG, resolveConfig, redact } from '../../../src/core';

suite('resolveConfig', () => {
  test('fills defaults and freezes the snapshot', () => {
    const config = resolveConfig({ model: 'qwen3:4b-instruct-2507' });
    assert.equal(config.model, 'qwen3:4b-instruct-2507');
    assert.equal(config.endpoint, 'auto');
    assert.ok(Object.isFrozen(config));
  });

  test('clamps values a hand-edited settings.json can break', () => {
    const config = resolveConfig({ maxOutputTokens: 10, idleTimeoutSeconds: Number.NaN, concurrency: 0 });
    assert.equal(config.maxOutputTokens, 64);
    assert.equal(config.idleTimeoutSeconds, DEFAULT_CONFIG.idleTimeoutSeconds);
    assert.equal(config.concurrency, 'auto');
  });

  test('undefined values do not erase defaults', () => {
    assert.deepEqual(resolveConfig({ endpoint: undefined }).endpoint, 'auto');
  });
});

suite('redact', () => {
  test('removes bearer tokens and api keys', () => {
    const line = redact('Authorization: Bearer sk-abcdefghijklmnop {"apiKey":"secret123"} token=xyz');
    assert.doesNotMatch(line, /sk-abcdefghijklmnop|secret123|xyz/);
    assert.match(line, /\[redacted\]/);
  });

  test('leaves ordinary text alone', () => {
    assert.equal(redact('model qwen3:4b prompt_tokens=1200'), 'model qwen3:4b prompt_tokens=1200');
  });
});
