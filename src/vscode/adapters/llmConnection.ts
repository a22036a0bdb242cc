import * as vscode from 'vscode';
import {
  AssistantError,
  connect,
  discoverModels,
  isAssistantError,
  isCancellationError,
  serverPresentation,
  type AssistantConfig,
  type ChatRequest,
  type ChatResult,
  type ChatStream,
  type ConnectedSession,
  type ConnectOptions,
  type DetectedServer,
  type LlmSession,
  type Logger,
  type ModelEntry,
  type ServerInfo,
  type ServerPresentation,
} from '../../core';

/** SecretStorage key of the optional API key (never in settings, never logged). */
export const API_KEY_SECRET = 'researchAssistant.apiKey';

/** Re-read the server's context at most this often: it changes when the server reloads the model. */
const SESSION_TTL_MS = 5 * 60_000;

export type LlmStatus =
  | { readonly state: 'unknown' }
  | { readonly state: 'connecting' }
  | {
      readonly state: 'connected';
      readonly info: ServerInfo;
      /** The server's name and context advice, resolved here so the status bar needs no core code at activation. */
      readonly server: ServerPresentation;
      readonly notes: readonly string[];
    }
  | { readonly state: 'error'; readonly error: AssistantError };

/** Errors after which the cached session is stale (server gone, model unloaded or swapped, context changed). */
const STALE_CODES = new Set(['EndpointUnreachable', 'ModelNotFound', 'ContextTooLarge', 'Auth', 'SilentFailure', 'NoModels']);

/**
 * The one place the extension talks to the model server. Commands call
 *
 *   const session = await services.llm.session(config, signal);
 *
 * and get a connected LlmSession (server detected, model picked, usable context read), cached per
 * endpoint + model + context override + API key and refreshed after 5 minutes or after an error that suggests the
 * server changed. Throws AssistantError (EndpointUnreachable, RemoteEndpointRefused, Auth, NoModels, ModelNotFound,
 * Busy, Cancelled); the command registry shows those.
 */
export class LlmConnection implements vscode.Disposable {
  private readonly statusEmitter = new vscode.EventEmitter<LlmStatus>();
  readonly onDidChangeStatus = this.statusEmitter.event;
  private current: LlmStatus = { state: 'unknown' };
  private cached: { key: string; at: number; session: Promise<ConnectedSession> } | undefined;
  private keyVersion = 0;
  /** Only the latest connect attempt may change the status (a slow stale probe must not overwrite a newer result). */
  private generation = 0;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly logger: Logger,
    /** Test seams: ports for `auto`, probe timeout, retry policy, fetch. */
    private readonly overrides: Partial<Pick<ConnectOptions, 'ports' | 'probeTimeoutMs' | 'retry' | 'fetch'>> = {},
  ) {}

  get status(): LlmStatus {
    return this.current;
  }

  /** A connected session for this settings snapshot (cached; see the class comment). */
  async session(config: AssistantConfig, signal: AbortSignal): Promise<LlmSession> {
    const connected = await this.connected(config, signal, false);
    return this.watch(connected);
  }

  /** Always re-detects (Test Connection, after Set API Key / Select Model). */
  async reconnect(config: AssistantConfig, signal: AbortSignal): Promise<ConnectedSession> {
    return this.connected(config, signal, true);
  }

  /** Detects the server and lists its chat models without picking one. */
  async listModels(config: AssistantConfig, signal: AbortSignal): Promise<{ server: DetectedServer; models: ModelEntry[] }> {
    return discoverModels(await this.options(config), signal);
  }

  /** Drops the cached session; the next `session()` detects again. */
  invalidate(): void {
    this.cached = undefined;
  }

  async getApiKey(): Promise<string | undefined> {
    const key = await this.secrets.get(API_KEY_SECRET);
    return key === undefined || key === '' ? undefined : key;
  }

  /** Stores (or with an empty value deletes) the API key in SecretStorage. */
  async setApiKey(key: string): Promise<void> {
    if (key === '') await this.secrets.delete(API_KEY_SECRET);
    else await this.secrets.store(API_KEY_SECRET, key);
    this.keyVersion++;
    this.invalidate();
  }

  /** Background refresh for the status bar; never throws. */
  refresh(config: AssistantConfig): void {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 30_000);
    this.connected(config, controller.signal, true).then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
  }

  dispose(): void {
    this.statusEmitter.dispose();
  }

  private setStatus(status: LlmStatus): void {
    this.current = status;
    this.statusEmitter.fire(status);
  }

  private async options(config: AssistantConfig): Promise<ConnectOptions> {
    return { config, apiKey: await this.getApiKey(), logger: this.logger, ...this.overrides };
  }

  private async connected(config: AssistantConfig, signal: AbortSignal, fresh: boolean): Promise<ConnectedSession> {
    const key = JSON.stringify([config.endpoint, config.model, config.allowRemoteEndpoint, config.contextLength, this.keyVersion]);
    const cached = this.cached;
    if (!fresh && cached && cached.key === key && Date.now() - cached.at < SESSION_TTL_MS) {
      try {
        return await cached.session;
      } catch (error) {
        // A cancelled shared connect must not fail a caller that was not cancelled: fall through and connect anew.
        if (!isCancellationError(error) || signal.aborted) throw error;
      }
    }
    const generation = ++this.generation;
    if (this.current.state !== 'connected') this.setStatus({ state: 'connecting' });
    const attempt = this.options(config).then((options) => connect(options, signal));
    this.cached = { key, at: Date.now(), session: attempt };
    try {
      const session = await attempt;
      if (generation === this.generation)
        this.setStatus({
          state: 'connected',
          info: session.info,
          server: serverPresentation(session.info.kind),
          notes: session.notes,
        });
      return session;
    } catch (error) {
      if (this.cached?.session === attempt) this.cached = undefined;
      if (!isCancellationError(error) && generation === this.generation) {
        this.setStatus({
          state: 'error',
          error: isAssistantError(error) ? error : new AssistantError('ServerError', String(error)),
        });
      }
      throw error;
    }
  }

  /** Wraps a session so errors that mean "the server changed" drop the cache and show in the status bar. */
  private watch(session: ConnectedSession): LlmSession {
    const onError = (error: unknown): void => {
      if (isAssistantError(error) && STALE_CODES.has(error.code)) {
        this.invalidate();
        if (error.code === 'EndpointUnreachable' || error.code === 'Auth') this.setStatus({ state: 'error', error });
      }
    };
    // A server that loads the model on first use tells its real context only afterwards: connect again then.
    const reReadAfterLoad = session.contextPendingLoad;
    const guard = <T>(promise: Promise<T>): Promise<T> =>
      promise.then(
        (value) => {
          if (reReadAfterLoad) this.invalidate();
          return value;
        },
        (error: unknown) => {
          onError(error);
          throw error;
        },
      );
    return {
      info: session.info,
      countTokens: (messages, signal) => session.countTokens(messages, signal),
      stream: (request: ChatRequest, signal: AbortSignal): ChatStream => {
        const inner = session.stream(request, signal);
        const result: Promise<ChatResult> = guard(inner.result);
        result.catch(() => undefined);
        return { result, [Symbol.asyncIterator]: () => inner[Symbol.asyncIterator]() };
      },
      complete: (request, signal) => guard(session.complete(request, signal)),
      completeJson: (request, validate, signal) => guard(session.completeJson(request, validate, signal)),
    };
  }
}
