/**
 * Model-server efficiency rows, through the real actions against fake servers in their own processes:
 * the prompt tokens Summarize Linked Paper → Ask → Explain Term on one paper share (the fake's tokenizer), the
 * simulated time to the first answer text of the follow-up with and without the server's prefix cache (the fake
 * evaluates only the prompt tokens its slot does not already hold), and Ollama model reloads in a 10-action session.
 * usage: efficiency <json-args> with { prompts }; prints one JSON line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_CONFIG,
  InMemoryKeyValueStore,
  PromptLibrary,
  ResultCache,
  connect,
  nullLogger,
  nullProgress,
  resolveConfig,
} from '../../src/core';
import type { ActionContext } from '../../src/core/actions/context';
import { ask } from '../../src/core/actions/ask';
import { explainTerm } from '../../src/core/actions/explainTerm';
import { summarize } from '../../src/core/actions/summarize';
import type { ConnectedSession } from '../../src/core/llm/session';
import type { Source } from '../../src/core/sources/types';
import type { FakeServerOptions } from '../../test/fakeServer/index';
import { startFakeProcess } from './fakeProcess';

const args = JSON.parse(process.argv[2] ?? '{}') as { prompts: string };
const prompts = PromptLibrary.load(
  readdirSync(args.prompts)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => ({ file: f, text: readFileSync(join(args.prompts, f), 'utf8') })),
);

function context(session: ConnectedSession): ActionContext {
  return {
    session,
    prompts,
    config: resolveConfig({ ...DEFAULT_CONFIG }),
    cache: new ResultCache(new InMemoryKeyValueStore()),
    logger: nullLogger,
    progress: nullProgress,
    signal: new AbortController().signal,
  };
}

/** A paper of about `chars` characters in page-sized sections, as the reader makes it. */
function paper(chars: number): Source {
  const sections = [];
  let all = '';
  for (let s = 1; all.length < chars; s++) {
    let t = '';
    for (let k = 1; t.length < 4000; k++)
      t += `In experiment ${s}.${k} slow-wave sleep rose by ${(s * 7 + k) % 97}% over ${10 + k} nights, and recall improved accordingly. `;
    sections.push({ title: `${s} Results`, level: 1, text: t, location: { page: s }, role: 'body' as const });
    all += `${t}\n\n`;
  }
  return {
    id: 'papers/smith2024.pdf',
    uri: 'file:///ws/papers/smith2024.pdf',
    title: 'smith2024.pdf',
    kind: 'pdf',
    status: 'ok',
    text: all,
    sections,
    tokenEstimate: Math.ceil(all.length / 4),
  };
}

const PAPER = paper(80_000);
const NOTE: Source = {
  id: 'notes/sleep.md',
  uri: 'file:///ws/notes/sleep.md',
  title: 'sleep.md',
  kind: 'note',
  status: 'ok',
  text: 'Reading notes on [[smith2024.pdf]]: slow-wave sleep and recall. '.repeat(12),
  sections: [],
  tokenEstimate: 200,
};

/** Runs the action and returns ms from its start to the first answer text. */
async function firstText(run: (sink: (d: string) => void) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let first = -1;
  await run(() => {
    if (first < 0) first = performance.now() - started;
  });
  return first;
}

const open = (url: string): Promise<ConnectedSession> =>
  connect(
    { config: resolveConfig({ ...DEFAULT_CONFIG, endpoint: url }), retry: { attempts: 0, baseDelayMs: 0 } },
    new AbortController().signal,
  );

/** Prompt processing at 2,000 tokens/s (a 4B model on a laptop GPU); answers short and fast, so prefill dominates. */
const LLAMA: FakeServerOptions = { flavour: 'llamacpp', ctx: 32768, slots: 1, prefillTokensPerSecond: 2000, tokensPerSecond: 5000 };

async function prefixRows(out: Record<string, unknown>): Promise<void> {
  const fake = await startFakeProcess(LLAMA);
  try {
    const session = await open(fake.url);
    const ctx = context(session);
    await summarize(ctx, { sources: [PAPER], language: 'en', templateId: 'summarize-paper' }, () => undefined);
    const askWarm = await firstText((sink) =>
      ask(ctx, { question: 'How much did recall improve?', sources: [NOTE, PAPER], language: 'en' }, sink),
    );
    await explainTerm(ctx, { term: 'slow-wave sleep', sources: [NOTE, PAPER], language: 'en' }, () => undefined);
    const chats = (await fake.stats()).chats;
    out['prefix'] = {
      promptTokens: chats.map((c) => c.promptTokens),
      shared: chats.map((c) => c.sharedPrefixTokens),
      cached: chats.map((c) => c.cachedTokens),
      askFirstTextMs: askWarm,
    };
  } finally {
    await fake.close();
  }
  // The same Ask on a server whose slot holds nothing of it: every prompt token is evaluated.
  const cold = await startFakeProcess(LLAMA);
  try {
    const ctx = context(await open(cold.url));
    (out['prefix'] as Record<string, unknown>).askColdFirstTextMs = await firstText((sink) =>
      ask(ctx, { question: 'How much did recall improve?', sources: [NOTE, PAPER], language: 'en' }, sink),
    );
  } finally {
    await cold.close();
  }
}

async function ollamaRows(out: Record<string, unknown>): Promise<void> {
  const fake = await startFakeProcess({
    flavour: 'ollama',
    preloaded: false,
    loadMs: 1000,
    prefillTokensPerSecond: 20_000,
    tokensPerSecond: 5000,
  });
  try {
    const ctx = context(await open(fake.url));
    const none = (): undefined => undefined;
    for (let i = 0; i < 10; i++) {
      if (i % 3 === 0) await summarize(ctx, { sources: [PAPER], language: 'en', templateId: 'summarize-paper' }, none);
      else if (i % 3 === 1) await ask(ctx, { question: `Question ${i}: what changed?`, sources: [NOTE, PAPER], language: 'en' }, none);
      else await explainTerm(ctx, { term: `term ${i}`, sources: [NOTE, PAPER], language: 'en' }, none);
    }
    const stats = await fake.stats();
    out['ollama'] = { actions: 10, requests: stats.chats.length, reloads: stats.reloads };
  } finally {
    await fake.close();
  }
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of [
    ['prefix', prefixRows],
    ['ollama', ollamaRows],
  ] as const) {
    try {
      await fn(out);
    } catch (error) {
      out[`${name}Error`] = error instanceof Error ? error.message : String(error);
    }
  }
  console.log(JSON.stringify(out));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
