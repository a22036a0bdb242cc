/**
 * The default LlmProvider for hosts without their own (the CLI, tests): connects through the transport
 * and keeps the session for a few minutes per server-relevant settings, so a run of several tasks detects
 * the server once.
 */
import type { AssistantConfig } from './config';
import type { Embedder } from './library/types';
import { connectEmbedder } from './llm/embeddings';
import { connect, type ConnectOptions, type ConnectedSession } from './llm/session';
import type { LlmProvider, LlmTransport } from './ports/llm';
import type { Logger } from './ports/logger';

/** Re-read the server's context at most this often: it changes when the server reloads the model. */
const SESSION_TTL_MS = 5 * 60_000;

export function createLlmProvider(
  transport: LlmTransport = {},
  logger?: Logger,
  overrides: Partial<Pick<ConnectOptions, 'ports' | 'probeTimeoutMs' | 'retry'>> = {},
): LlmProvider {
  let cached: { key: string; at: number; session: Promise<ConnectedSession> } | undefined;
  let cachedEmbedder: { key: string; at: number; embedder: Promise<Embedder | undefined> } | undefined;
  return {
    /** Kept like the session: an index build asks once per batch of files, not once per request. */
    async embedder(config: AssistantConfig, signal: AbortSignal) {
      const apiKey = await transport.apiKey?.();
      const key = JSON.stringify([config.endpoint, config.embeddingModel, config.allowRemoteEndpoint, apiKey ?? '']);
      if (cachedEmbedder && cachedEmbedder.key === key && Date.now() - cachedEmbedder.at < SESSION_TTL_MS) return cachedEmbedder.embedder;
      const embedder = connectEmbedder(
        {
          config,
          ...(apiKey ? { apiKey } : {}),
          ...(transport.fetch ? { fetch: transport.fetch } : {}),
          ...(logger ? { logger } : {}),
          ...overrides,
        },
        signal,
      );
      cachedEmbedder = { key, at: Date.now(), embedder };
      embedder.catch(() => {
        if (cachedEmbedder?.embedder === embedder) cachedEmbedder = undefined;
      });
      return embedder;
    },
    async session(config: AssistantConfig, signal: AbortSignal) {
      const apiKey = await transport.apiKey?.();
      const key = JSON.stringify([config.endpoint, config.model, config.contextLength, config.allowRemoteEndpoint, apiKey ?? '']);
      if (cached && cached.key === key && Date.now() - cached.at < SESSION_TTL_MS) return cached.session;
      const session = connect(
        {
          config,
          ...(apiKey ? { apiKey } : {}),
          ...(transport.fetch ? { fetch: transport.fetch } : {}),
          ...(logger ? { logger } : {}),
          ...overrides,
        },
        signal,
      );
      cached = { key, at: Date.now(), session };
      // A failed connect is not kept: the next task tries again.
      session.catch(() => {
        if (cached?.session === session) cached = undefined;
      });
      return session;
    },
  };
}
