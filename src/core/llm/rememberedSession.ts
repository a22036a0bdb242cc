/**
 * A session remembered across processes (the command line starts a new process per command). A command answered
 * from the result cache needs the server's identity only to compute its cache key: model, usable context, slots.
 * For a few minutes after a real connection those are taken from the store and the server is contacted only when
 * a request is actually sent, so a cached answer costs no probe and no network at all. That is the trust the
 * editor gives its own session for the same few minutes; the request names the remembered model, so an answer is
 * never labelled with a model that did not write it. A failed connection forgets what was remembered.
 */
import { contentHash } from '../cache/extractionCache';
import type { AssistantConfig } from '../config';
import type { Embedder } from '../library/types';
import type { KeyValueStore } from '../ports/files';
import type { LlmProvider } from '../ports/llm';
import type { ChatRequest, ChatStream, LlmSession, ServerInfo } from './types';

/** How long a remembered session stands in for a real one (as long as the editor keeps its session). */
export const REMEMBERED_SESSION_MS = 5 * 60_000;

interface Remembered {
  readonly at: number;
  readonly info: ServerInfo;
}

export interface RememberingProvider extends LlmProvider {
  /** Always connects (and remembers the result): `status` and Test Connection ask the server itself. */
  fresh(config: AssistantConfig, signal: AbortSignal): Promise<LlmSession>;
}

export function rememberingProvider(inner: LlmProvider, memory: KeyValueStore, now: () => number = Date.now): RememberingProvider {
  const keyOf = async (config: AssistantConfig): Promise<string> => {
    const settings = JSON.stringify([config.endpoint, config.model, config.allowRemoteEndpoint, config.contextLength]);
    return `session-${(await contentHash(new TextEncoder().encode(settings))).slice(0, 24)}`;
  };
  const connect = async (config: AssistantConfig, signal: AbortSignal, key: string): Promise<LlmSession> => {
    try {
      const session = await inner.session(config, signal);
      await memory.set(key, JSON.stringify({ at: now(), info: session.info } satisfies Remembered)).catch(() => undefined);
      return session;
    } catch (error) {
      await memory.delete(key).catch(() => undefined);
      throw error;
    }
  };
  const recall = async (key: string): Promise<ServerInfo | undefined> => {
    try {
      const raw = await memory.get(key);
      const remembered = raw ? (JSON.parse(raw) as Partial<Remembered>) : undefined;
      const age = now() - (remembered?.at ?? -Infinity);
      return remembered?.info && typeof remembered.info.model === 'string' && age >= 0 && age < REMEMBERED_SESSION_MS
        ? remembered.info
        : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    async session(config, signal) {
      const key = await keyOf(config);
      const info = await recall(key);
      if (!info) return connect(config, signal, key);
      let real: Promise<LlmSession> | undefined;
      return lazySession(info, (s) => (real ??= connect(config, s, key)));
    },
    async fresh(config, signal) {
      return connect(config, signal, await keyOf(config));
    },
    ...(inner.embedder
      ? { embedder: (config: AssistantConfig, signal: AbortSignal): Promise<Embedder | undefined> => inner.embedder!(config, signal) }
      : {}),
  };
}

/** A session whose server is contacted on its first request; until then it answers with the remembered identity. */
function lazySession(info: ServerInfo, real: (signal: AbortSignal) => Promise<LlmSession>): LlmSession {
  return {
    info,
    countTokens: async (messages, signal) => (await real(signal)).countTokens(messages, signal),
    complete: async (request, signal) => (await real(signal)).complete(request, signal),
    completeJson: async (request, validate, signal) => (await real(signal)).completeJson(request, validate, signal),
    stream(request: ChatRequest, signal: AbortSignal): ChatStream {
      const started = real(signal).then((session) => session.stream(request, signal));
      const result = started.then((stream) => stream.result);
      // A consumer that stops at a failed stream never asks for the result: its rejection is not an unhandled one.
      result.catch(() => undefined);
      return {
        result,
        async *[Symbol.asyncIterator]() {
          yield* await started;
        },
      };
    },
  };
}
