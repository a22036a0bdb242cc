import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeServer, type FakeServer, type FakeServerOptions } from '../../fakeServer/index';
import { connect, type ConnectedSession } from '../../../src/core/llm/session';
import { DEFAULT_CONFIG } from '../../../src/core/config';
import type { Logger } from '../../../src/core/ports/logger';
import type { ChatMessage } from '../../../src/core/llm/types';

const signal = (ms = 20_000): AbortSignal => AbortSignal.timeout(ms);
const PAPER = 'The trial enrolled 412 adults with type 2 diabetes; HbA1c fell by 0.8 points after 18 months (p. 4). '.repeat(60);
const onPaper = (task: string, paper = PAPER): ChatMessage[] => [
  { role: 'system', content: 'You are a careful research assistant. Use only the sources.' },
  { role: 'user', content: `${paper}\n\nTask: ${task}` },
];
const SCHEMA = {
  name: 'answer',
  schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
};

/** Info lines, for the counters the chat line reports. */
function capture(): { logger: Logger; info: string[]; warn: string[] } {
  const info: string[] = [];
  const warn: string[] = [];
  const skip = (): undefined => undefined;
  return {
    info,
    warn,
    logger: { trace: skip, debug: skip, error: skip, info: (m: string) => info.push(m), warn: (m: string) => warn.push(m) },
  };
}

async function withFake(
  options: FakeServerOptions,
  body: (fake: FakeServer, open: (logger?: Logger) => Promise<ConnectedSession>) => Promise<void>,
) {
  const fake = await startFakeServer(options);
  try {
    await body(fake, (logger) =>
      connect({ config: { ...DEFAULT_CONFIG, endpoint: fake.url }, retry: { attempts: 1, baseDelayMs: 5 }, logger }, signal()),
    );
  } finally {
    await fake.close();
  }
}

const chatBodies = (fake: FakeServer): Record<string, unknown>[] => fake.chatRequests().map((r) => r.body as Record<string, unknown>);

void suite('model-server efficiency', () => {
  void test('llama.cpp, hybrid template: a refused schema + thinking-off is retried with the schema and without the switch, once per session', async () => {
    await withFake({ flavour: 'llamacpp', thinking: true }, async (fake, open) => {
      const log = capture();
      const session = await open(log.logger);
      const { value } = await session.completeJson(
        { messages: onPaper('Answer in JSON.'), maxTokens: 512, jsonSchema: SCHEMA },
        (v) => v as { answer: string },
        signal(),
      );
      assert.equal(typeof value.answer, 'string');
      const [refused, retried] = chatBodies(fake);
      assert.deepEqual(refused?.chat_template_kwargs, { enable_thinking: false });
      assert.equal(fake.chatRequests()[0]?.status, 400);
      assert.equal(retried?.chat_template_kwargs, undefined);
      assert.equal((retried?.response_format as { type: string }).type, 'json_schema', 'the schema is kept');
      assert.ok(log.warn.some((w) => /keeping the schema/.test(w)));
      // The next schema request goes without the switch at once; plain chats keep it.
      await session.completeJson({ messages: onPaper('Again.'), maxTokens: 512, jsonSchema: SCHEMA }, (v) => v, signal());
      await session.complete({ messages: onPaper('Summarise.'), maxTokens: 64 }, signal());
      const later = chatBodies(fake).slice(2);
      assert.equal(later.length, 2);
      assert.equal(later[0]?.chat_template_kwargs, undefined);
      assert.ok(later[0]?.response_format);
      assert.deepEqual(later[1]?.chat_template_kwargs, { enable_thinking: false });
    });
  });

  void test('llama.cpp: cache_prompt always; the same id_slot for the same sources on several slots; none on one slot', async () => {
    await withFake({ flavour: 'llamacpp', slots: 4 }, async (fake, open) => {
      const log = capture();
      const session = await open(log.logger);
      await session.complete({ messages: onPaper('Summarise.'), maxTokens: 64 }, signal());
      await session.complete({ messages: onPaper('What fell?'), maxTokens: 64 }, signal());
      const [a, b] = chatBodies(fake);
      assert.equal(a?.cache_prompt, true);
      assert.equal(typeof a?.id_slot, 'number');
      assert.equal(b?.id_slot, a?.id_slot);
      const second = fake.chatRequests()[1];
      assert.ok(
        (second?.cachedTokens ?? 0) > 0.9 * (second?.promptTokens ?? 1),
        `cached ${second?.cachedTokens} of ${second?.promptTokens}`,
      );
      // The server's own counters reach the log, one chat line per request.
      const lines = log.info.filter((l) => l.startsWith('Chat llamacpp'));
      assert.equal(lines.length, 2);
      assert.match(lines[1] ?? '', new RegExp(`${second?.cachedTokens} from the server's prompt cache \\(9\\d %\\), evaluated in \\d+ ms`));
      // Two requests on the same sources at once: the second is not pinned behind the first.
      await Promise.all([
        session.complete({ messages: onPaper('One.'), maxTokens: 64 }, signal()),
        session.complete({ messages: onPaper('Two.'), maxTokens: 64 }, signal()),
      ]);
      const pinned = chatBodies(fake)
        .slice(2)
        .filter((body) => body.id_slot !== undefined);
      assert.equal(pinned.length, 1);
    });
    await withFake({ flavour: 'llamacpp', slots: 1 }, async (fake, open) => {
      const session = await open();
      await session.complete({ messages: onPaper('Summarise.'), maxTokens: 64 }, signal());
      assert.equal(chatBodies(fake)[0]?.cache_prompt, true);
      assert.equal(chatBodies(fake)[0]?.id_slot, undefined);
    });
  });

  void test('llama.cpp: the exact count equals the prompt the chat request makes the server evaluate (hybrid template)', async () => {
    await withFake({ flavour: 'llamacpp', thinking: true }, async (fake, open) => {
      const session = await open();
      const messages = onPaper('Summarise.');
      const count = await session.countTokens(messages, signal());
      await session.complete({ messages, maxTokens: 64 }, signal());
      assert.equal(count.exact, true);
      assert.equal(count.count, fake.chatRequests()[0]?.promptTokens);
    });
  });

  void test('Ollama: a 10-action session causes no reload; a new session (another window, the CLI) reuses the loaded num_ctx', async () => {
    await withFake({ flavour: 'ollama', preloaded: false, loadMs: 30 }, async (fake, open) => {
      const log = capture();
      const session = await open(log.logger);
      for (let i = 0; i < 10; i++) {
        // Papers of different lengths and questions: the sizes vary, the runner stays.
        const paper = PAPER.repeat(1 + (i % 3));
        await session.complete({ messages: onPaper(`Question ${i}?`, paper), maxTokens: 256 + 64 * i }, signal());
      }
      assert.equal(fake.reloads, 0);
      const numCtx = chatBodies(fake).map((b) => (b.options as { num_ctx: number }).num_ctx);
      assert.equal(new Set(numCtx).size, 1, `num_ctx ${numCtx.join(', ')}`);
      assert.ok(chatBodies(fake).every((b) => b.keep_alive === '30m'));
      assert.ok(log.info.some((l) => /^Chat ollama .*evaluated in \d+ ms, model load \d+ ms/.test(l)));

      // Someone else (the CLI) grew the runner meanwhile; a fresh connect reads /api/ps and keeps it.
      await fetch(`${fake.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'qwen3:4b-instruct-2507', messages: onPaper('CLI'), stream: false, options: { num_ctx: 24576 } }),
      }).then((r) => r.text());
      assert.equal(fake.reloads, 1);
      const next = await open();
      await next.complete({ messages: onPaper('After a restart.'), maxTokens: 256 }, signal());
      const last = chatBodies(fake).at(-1);
      assert.equal((last?.options as { num_ctx: number }).num_ctx, 24576);
      assert.equal(fake.reloads, 1, 'the new session loaded nothing');
    });
  });
});
