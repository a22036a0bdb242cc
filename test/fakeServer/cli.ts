/**
 * Standalone fake server: `npm run fake-server -- --flavour ollama --ctx 4096 [--port N] [--slots N] [--tps N]
 * [--prefill-tps N] [--thinking] [--reply-file F] [--model M]… [--server-version V] [--api-key K]
 * [--overflow-mode M] [--reasoning-style S] [--embedding-model M]… [--embedding-ctx N] [--log]`.
 * stdout gets exactly one line when ready (scripts parse it): `fake <flavour> server listening on http://127.0.0.1:PORT`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFakeServer } from './index';
import type { FakeServerOptions, Flavour, OverflowMode, ReasoningStyle, Reply } from './types';

const FLAVOURS: readonly Flavour[] = ['ollama', 'lmstudio', 'vllm', 'llamacpp'];

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run fake-server -- --flavour ${FLAVOURS.join('|')} [--ctx N] [--port N] [--slots N] [--tps N] [--prefill-tps N] [--thinking] [--reply-file F] [--model M]... [--server-version V] [--api-key K] [--overflow-mode M] [--reasoning-style S] [--embedding-model M]... [--embedding-ctx N] [--log]\n`,
  );
  process.exit(2);
}

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) usage(`--${name} must be a non-negative number, got ${value}`);
  return n;
}

/** A reply file: plain text (the answer) or JSON (one Reply, or an array queued one per request). */
function readReplies(file: string): { reply?: Reply; queue?: Reply[] } {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    const value = JSON.parse(text) as Reply | Reply[];
    return Array.isArray(value) ? { queue: value } : { reply: value };
  }
  return { reply: text };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      flavour: { type: 'string' },
      ctx: { type: 'string' },
      port: { type: 'string' },
      slots: { type: 'string' },
      tps: { type: 'string' },
      'prefill-tps': { type: 'string' },
      thinking: { type: 'boolean' },
      'reply-file': { type: 'string' },
      model: { type: 'string', multiple: true },
      'server-version': { type: 'string' },
      'api-key': { type: 'string' },
      'overflow-mode': { type: 'string' },
      'reasoning-style': { type: 'string' },
      'embedding-model': { type: 'string', multiple: true },
      'embedding-ctx': { type: 'string' },
      log: { type: 'boolean' },
    },
    strict: true,
  });
  const flavour = values.flavour as Flavour | undefined;
  if (!flavour || !FLAVOURS.includes(flavour)) usage(`--flavour is required (${FLAVOURS.join(', ')})`);
  const replies = values['reply-file'] ? readReplies(values['reply-file']) : {};
  const options: FakeServerOptions = {
    flavour,
    port: num(values.port, 'port'),
    ctx: num(values.ctx, 'ctx'),
    slots: num(values.slots, 'slots'),
    tokensPerSecond: num(values.tps, 'tps'),
    prefillTokensPerSecond: num(values['prefill-tps'], 'prefill-tps'),
    thinking: values.thinking,
    models: values.model,
    version: values['server-version'],
    apiKey: values['api-key'],
    overflowMode: values['overflow-mode'] as OverflowMode | undefined,
    reasoningStyle: values['reasoning-style'] as ReasoningStyle | undefined,
    reply: replies.reply,
    embeddingModels: values['embedding-model'],
    embeddingCtx: num(values['embedding-ctx'], 'embedding-ctx'),
  };
  const server = await startFakeServer(options);
  if (replies.queue) server.queueReplies(...replies.queue);

  process.stderr.write(
    `*** FAKE ${flavour} server: every answer is CANNED text derived from the prompt; no model runs. ***\n` +
      `    OpenAI base URL: ${server.url}/v1   (Ctrl+C to stop)\n`,
  );
  process.stdout.write(`fake ${flavour} server listening on ${server.url}\n`);

  if (values.log) {
    let seen = 0;
    setInterval(() => {
      for (; seen < server.requests.length; seen++) {
        const r = server.requests[seen];
        if (r)
          process.stderr.write(
            `${new Date(r.at).toISOString()} ${r.method} ${r.path}${r.promptTokens !== undefined ? ` prompt_tokens=${r.promptTokens}` : ''}\n`,
          );
      }
    }, 250).unref();
  }

  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`fake server failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
