import { throwIfAborted } from '../errors';
import type { AssistantConfig } from '../config';
import { nullLogger, type Logger } from '../ports/logger';
import { makeChatStream } from './chatStream';
import { runChat, type RetryPolicy } from './chatRun';
import { dialectFor, type ServerDialect } from './dialects';
import type { ChatTransport, DetectedServer, ModelEntry, ModelFacts } from './dialects/dialect';
import { detectServer, listModels, pickModel, readModelFacts } from './discovery';
import type { FetchLike, Http } from './http';
import { completeJson, type JsonRequest } from './jsonAnswer';
import { estimateMessageTokens } from './tokens';
import type { ChatMessage, ChatRequest, ChatResult, ChatStream, LlmSession, ServerInfo, TokenCount } from './types';

export interface ConnectOptions {
  readonly config: AssistantConfig;
  /** From the host's secret storage; never logged. */
  readonly apiKey?: string;
  /** Injected for tests and other hosts; defaults to the global fetch. */
  readonly fetch?: FetchLike;
  readonly logger?: Logger;
  /** Ports `auto` probes; defaults to 11434, 1234, 8000, 8080. */
  readonly ports?: readonly number[];
  /** Per-probe timeout during detection (default 1500 ms). */
  readonly probeTimeoutMs?: number;
  /** Retries for connection errors and 503 before the first token (default 3 attempts after the first, 1 s base backoff). */
  readonly retry?: RetryPolicy;
}

/** A connected session plus what the adapter shows (Test Connection, status bar). */
export interface ConnectedSession extends LlmSession {
  /** Non-fatal findings during connect, e.g. "LM Studio has not loaded the model". */
  readonly notes: readonly string[];
  /** Every chat model the server offers (for Select Model). */
  readonly models: readonly ModelEntry[];
  /**
   * The usable context is a guess until the server loads the model on first use: connect again after the first
   * answer to read the real one.
   */
  readonly contextPendingLoad: boolean;
}

/** Timeout of the tokenizer requests behind an exact count. */
const TOKENIZE_TIMEOUT_MS = 10_000;

function httpFor(options: ConnectOptions, signal: AbortSignal, timeoutMs = options.probeTimeoutMs ?? 1500): Http {
  return {
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    apiKey: options.apiKey,
    signal,
    timeoutMs,
    logger: options.logger ?? nullLogger,
  };
}

/** Detects the server and lists its chat models (Select Model uses this without connecting a model). */
export async function discoverModels(
  options: ConnectOptions,
  signal: AbortSignal,
): Promise<{ server: DetectedServer; models: ModelEntry[] }> {
  const http = httpFor(options, signal);
  const server = await detectServer({
    ...http,
    endpoint: options.config.endpoint,
    allowRemote: options.config.allowRemoteEndpoint,
    ports: options.ports,
  });
  const models = await listModels(server, http);
  return { server, models };
}

/**
 * Finds the server, picks the model and reads its usable context: the one call an adapter makes.
 * Throws AssistantError (EndpointUnreachable, RemoteEndpointRefused, Auth, NoModels, ModelNotFound, Busy, Cancelled).
 */
export async function connect(options: ConnectOptions, signal: AbortSignal): Promise<ConnectedSession> {
  const logger = options.logger ?? nullLogger;
  const started = Date.now();
  const { server, models } = await discoverModels(options, signal);
  const model = pickModel(models, options.config.model);
  const http = httpFor(options, signal);
  const facts = await readModelFacts(server, model, options.config.contextLength, { ...http, timeoutMs: Math.max(http.timeoutMs, 5000) });
  throwIfAborted(signal);
  const dialect = dialectFor(server.kind);
  const info: ServerInfo = {
    kind: server.kind,
    version: server.version,
    baseUrl: server.root,
    model: model.id,
    contextLength: facts.contextLength,
    contextSource: facts.contextSource,
    parallelSlots: facts.parallelSlots,
    exactTokenCount: dialect.countTokens !== undefined,
  };
  logger.info(
    `Connected to ${info.kind}${info.version ? ` ${info.version}` : ''} at ${info.baseUrl}: model ${info.model}, ` +
      `context ${info.contextLength} (${info.contextSource}), ${info.parallelSlots} slot(s) in ${Date.now() - started} ms`,
  );
  for (const note of facts.notes) logger.warn(note);
  return new ServerSession(dialect, info, facts, models, options);
}

class ServerSession implements ConnectedSession {
  readonly notes: readonly string[];
  readonly contextPendingLoad: boolean;
  private readonly logger: Logger;
  private readonly transport: ChatTransport;

  constructor(
    private readonly dialect: ServerDialect,
    readonly info: ServerInfo,
    facts: ModelFacts,
    readonly models: readonly ModelEntry[],
    private readonly options: ConnectOptions,
  ) {
    this.notes = facts.notes;
    this.contextPendingLoad = dialect.contextKnownAfterLoad && facts.contextSource === 'default';
    this.logger = options.logger ?? nullLogger;
    this.transport = dialect.openChat({
      info,
      facts,
      config: options.config,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      apiKey: options.apiKey,
      logger: this.logger,
    });
  }

  async countTokens(messages: readonly ChatMessage[], signal: AbortSignal): Promise<TokenCount> {
    const estimate = estimateMessageTokens(messages);
    const exact = await this.dialect.countTokens?.(
      messages,
      { root: this.info.baseUrl, model: this.info.model },
      httpFor(this.options, signal, TOKENIZE_TIMEOUT_MS),
    );
    if (exact !== undefined) return { count: exact, exact: true };
    throwIfAborted(signal);
    return { count: estimate.budget, exact: false };
  }

  complete(request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    return this.stream(request, signal).result;
  }

  stream(chatRequest: ChatRequest, signal: AbortSignal): ChatStream {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    if (signal.aborted) controller.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const context = {
      info: this.info,
      config: this.options.config,
      transport: this.transport,
      retry: this.options.retry ?? { attempts: 3, baseDelayMs: 1000 },
      logger: this.logger,
    };
    return makeChatStream(
      (push) => runChat(context, chatRequest, controller.signal, push).finally(() => signal.removeEventListener('abort', onAbort)),
      () => controller.abort(),
    );
  }

  completeJson<T>(
    chatRequest: JsonRequest,
    validate: (value: unknown) => T,
    signal: AbortSignal,
  ): Promise<{ readonly value: T; readonly result: ChatResult }> {
    return completeJson((request, s) => this.complete(request, s), this.logger, chatRequest, validate, signal);
  }
}
