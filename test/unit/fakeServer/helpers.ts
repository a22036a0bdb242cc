/** Shared helpers for the fake-server tests: an official `openai` client and stream collection. */
import OpenAI from 'openai';
import type { FakeServer } from '../../fakeServer/index';

export function clientFor(server: FakeServer, apiKey = 'x'): OpenAI {
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0, timeout: 10_000 });
}

export interface Collected {
  text: string;
  reasoning: string;
  finishReason: string | null;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  chunks: number;
}

/** Drains an openai stream the way the extension would. */
export async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<Collected> {
  const out: Collected = { text: '', reasoning: '', finishReason: null, chunks: 0 };
  for await (const chunk of stream) {
    out.chunks++;
    const choice = chunk.choices[0];
    const delta = choice?.delta as { content?: string | null; reasoning?: string; reasoning_content?: string } | undefined;
    out.text += delta?.content ?? '';
    out.reasoning += delta?.reasoning ?? delta?.reasoning_content ?? '';
    if (choice?.finish_reason) out.finishReason = choice.finish_reason;
    if (chunk.usage) out.usage = chunk.usage as Collected['usage'];
  }
  return out;
}

/** Raw SSE `data:` payloads of a streamed chat request (for wire-format assertions). */
export async function rawSse(
  server: FakeServer,
  body: unknown,
  path = '/v1/chat/completions',
): Promise<{ status: number; frames: string[]; text: string; headers: Headers }> {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const frames = text
    .split('\n\n')
    .filter((f) => f.startsWith('data: '))
    .map((f) => f.slice('data: '.length));
  return { status: res.status, frames, text, headers: res.headers };
}

export async function getJson(
  server: FakeServer,
  path: string,
  init?: RequestInit,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(server.url + path, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, headers: res.headers };
}

export function postJson(
  server: FakeServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): ReturnType<typeof getJson> {
  return getJson(server, path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** A long English text of roughly `tokens` tokens by the fake tokenizer (each word "abcd" = 1 token). */
export function wordsOfTokens(tokens: number, word = 'word'): string {
  return Array.from({ length: tokens }, () => word).join(' ');
}
