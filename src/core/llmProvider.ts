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

/**
 * One promise kept per key for SESSION_TTL_MS; a rejected one is dropped at once, so the next call tries again.
 * The session and the embedder share it: a run of tasks, or an index build, detects the server once.
 */
function keptForAWhile<T>(): (key: string, make: () => Promise<T>) => Promise<T> {
  let kept: { key: string; at: number; value: Promise<T> } | undefined;
  return (key, make) => {
    if (kept && kept.key === key && Date.now() - kept.at < SESSION_TTL_MS) return kept.value;
    const value = make();
    const entry = { key, at: Date.now(), value };
    kept = entry;
    value.catch(() => {
      if (kept === entry) kept = undefined;
    });
    return value;
  };
}

export function createLlmProvider(
  transport: LlmTransport = {},
  logger?: Logger,
  overrides: Partial<Pick<ConnectOptions, 'ports' | 'probeTimeoutMs' | 'retry'>> = {},
): LlmProvider {
  const sessions = keptForAWhile<ConnectedSession>();
  const embedders = keptForAWhile<Embedder | undefined>();
  const options = async (config: AssistantConfig): Promise<{ apiKey: string; connect: ConnectOptions }> => {
    const apiKey = (await transport.apiKey?.()) ?? '';
    const connect: ConnectOptions = {
      config,
      ...(apiKey ? { apiKey } : {}),
      ...(transport.fetch ? { fetch: transport.fetch } : {}),
      ...(logger ? { logger } : {}),
      ...overrides,
    };
    return { apiKey, connect };
  };
  return {
    async embedder(config: AssistantConfig, signal: AbortSignal) {
      const { apiKey, connect: o } = await options(config);
      const key = JSON.stringify([config.endpoint, config.embeddingModel, config.allowRemoteEndpoint, apiKey]);
      return embedders(key, () => connectEmbedder(o, signal));
    },
    async session(config: AssistantConfig, signal: AbortSignal) {
      const { apiKey, connect: o } = await options(config);
      const key = JSON.stringify([config.endpoint, config.model, config.contextLength, config.allowRemoteEndpoint, apiKey]);
      return sessions(key, () => connect(o, signal));
    },
  };
}
