/**
 * A scripted LlmSession (test double of src/core/llm/types.ts): replies come from a function of the
 * request, streams are split into small chunks, and a prompt larger than the context either throws
 * ContextTooLarge (like a server that rejects) so overflow handling is exercised.
 */
import {
  AssistantError,
  type ChatRequest,
  type ChatResult,
  type ChatStream,
  type LlmSession,
  type ServerInfo,
  type TokenCount,
  type ChatMessage,
} from '../../../src/core';

export type FakeReply = string | Error | { text: string; delayMs?: number; finishReason?: 'stop' | 'length' };

export interface FakeOptions {
  contextLength?: number;
  parallelSlots?: number;
  model?: string;
  /** Characters per streamed chunk. */
  chunkSize?: number;
  /** Delay between chunks (ms). */
  chunkDelayMs?: number;
  reply?: (request: ChatRequest, index: number) => FakeReply | Promise<FakeReply>;
}

export function countFakeTokens(text: string): number {
  const cjk = text.match(/[\u3000-\u9fff]/g)?.length ?? 0;
  return Math.ceil(cjk + (text.length - cjk) / 4);
}

function promptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((n, m) => n + countFakeTokens(m.content) + 4, 3);
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AssistantError('Cancelled', 'Cancelled'));
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new AssistantError('Cancelled', 'Cancelled'));
      },
      { once: true },
    );
  });

export class FakeLlmSession implements LlmSession {
  readonly info: ServerInfo;
  readonly requests: ChatRequest[] = [];
  /** Prompt tokens of every request that was served. */
  readonly servedPromptTokens: number[] = [];
  active = 0;
  maxActive = 0;
  countCalls = 0;

  constructor(private readonly options: FakeOptions = {}) {
    this.info = {
      kind: 'ollama',
      baseUrl: 'http://127.0.0.1:11434',
      model: options.model ?? 'fake-model',
      contextLength: options.contextLength ?? 32768,
      contextSource: 'server',
      parallelSlots: options.parallelSlots ?? 1,
      exactTokenCount: false,
    };
  }

  countTokens(messages: readonly ChatMessage[]): Promise<TokenCount> {
    this.countCalls += 1;
    return Promise.resolve({ count: promptTokens(messages), exact: true });
  }

  private async answer(
    request: ChatRequest,
    signal: AbortSignal,
  ): Promise<{ text: string; finishReason: 'stop' | 'length'; delayMs: number }> {
    const index = this.requests.length;
    this.requests.push(request);
    const tokens = promptTokens(request.messages);
    if (tokens + request.maxTokens > this.info.contextLength) {
      throw new AssistantError('ContextTooLarge', `prompt ${tokens} + ${request.maxTokens} > ${this.info.contextLength}`);
    }
    this.servedPromptTokens.push(tokens);
    const reply = await (this.options.reply ?? (() => 'ok'))(request, index);
    if (reply instanceof Error) throw reply;
    const r = typeof reply === 'string' ? { text: reply } : reply;
    if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled');
    return { text: r.text, finishReason: r.finishReason ?? 'stop', delayMs: r.delayMs ?? 0 };
  }

  private result(text: string, finishReason: 'stop' | 'length', started: number): ChatResult {
    return { text, finishReason, model: this.info.model, warnings: [], timings: { firstTokenMs: 1, totalMs: Date.now() - started } };
  }

  stream(request: ChatRequest, signal: AbortSignal): ChatStream {
    const started = Date.now();
    let resolveResult!: (r: ChatResult) => void;
    let rejectResult!: (e: unknown) => void;
    const result = new Promise<ChatResult>((res, rej) => {
      resolveResult = res;
      rejectResult = rej;
    });
    result.catch(() => undefined);
    const answer = (): Promise<{ text: string; finishReason: 'stop' | 'length'; delayMs: number }> => this.answer(request, signal);
    const track = (d: number): void => {
      this.active += d;
      this.maxActive = Math.max(this.maxActive, this.active);
    };
    const finish = (text: string, reason: 'stop' | 'length'): ChatResult => this.result(text, reason, started);
    const chunkSize = this.options.chunkSize ?? 8;
    const delay = this.options.chunkDelayMs ?? 0;
    async function* iterate(): AsyncGenerator<string> {
      track(1);
      try {
        const a = await answer();
        if (a.delayMs) await sleep(a.delayMs, signal);
        for (let i = 0; i < a.text.length; i += chunkSize) {
          if (delay) await sleep(delay, signal);
          else if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled');
          yield a.text.slice(i, i + chunkSize);
        }
        resolveResult(finish(a.text, a.finishReason));
      } catch (error) {
        rejectResult(error);
        throw error;
      } finally {
        track(-1);
      }
    }
    const it = iterate();
    return { result, [Symbol.asyncIterator]: () => it };
  }

  async complete(request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const started = Date.now();
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      const a = await this.answer(request, signal);
      if (a.delayMs) await sleep(a.delayMs, signal);
      return this.result(a.text, a.finishReason, started);
    } finally {
      this.active -= 1;
    }
  }

  async completeJson<T>(
    request: ChatRequest & { readonly jsonSchema: NonNullable<ChatRequest['jsonSchema']> },
    validate: (value: unknown) => T,
    signal: AbortSignal,
  ): Promise<{ value: T; result: ChatResult }> {
    const result = await this.complete(request, signal);
    try {
      return { value: validate(JSON.parse(result.text)), result };
    } catch (error) {
      throw new AssistantError('BadResponse', `invalid JSON: ${String(error)}`);
    }
  }
}
