import { AssistantError, throwIfAborted } from '../errors';
import type { Logger } from '../ports/logger';

export type FetchLike = typeof fetch;

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed body when it is JSON, else undefined. */
  readonly json: unknown;
}

/**
 * An AbortSignal that fires when `parent` fires or after `ms`. `timedOut()` tells the two apart, so a probe
 * timeout is "no answer" while a user cancel stays a cancellation.
 */
export function timeoutSignal(parent: AbortSignal, ms: number): { signal: AbortSignal; timedOut: () => boolean; dispose: () => void } {
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort(new Error(`timed out after ${ms} ms`));
  }, ms);
  const onAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => fired,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}

/** Resolves after `ms` unless `signal` fires first (then rejects with Cancelled). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new AssistantError('Cancelled', 'Cancelled'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AssistantError('Cancelled', 'Cancelled'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly apiKey?: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly fetch: FetchLike;
}

/**
 * One native (non-OpenAI) request: detection probes, /api/show, /props, /tokenize…
 * Returns undefined when nothing answered in time or the connection failed; throws only Cancelled.
 */
export async function request(url: string, options: RequestOptions): Promise<HttpResult | undefined> {
  throwIfAborted(options.signal);
  const t = timeoutSignal(options.signal, options.timeoutMs);
  try {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    const response = await options.fetch(url, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: t.signal,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseJsonOrUndefined(text) };
  } catch {
    // Refused, reset, timed out: "no answer". Only the caller's cancellation propagates.
    throwIfAborted(options.signal);
    return undefined;
  } finally {
    t.dispose();
  }
}

/** What native requests to one server share: detection probes, listings, /api/show, /props, /tokenize. */
export interface Http {
  readonly fetch: FetchLike;
  readonly apiKey?: string;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

export const httpGet = (http: Http, url: string): Promise<HttpResult | undefined> =>
  request(url, { fetch: http.fetch, apiKey: http.apiKey, signal: http.signal, timeoutMs: http.timeoutMs });

export const httpPost = (http: Http, url: string, body: unknown, timeoutMs = http.timeoutMs): Promise<HttpResult | undefined> =>
  request(url, { fetch: http.fetch, apiKey: http.apiKey, signal: http.signal, timeoutMs, body });

export function parseJsonOrUndefined(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

/** Narrowing helpers for untyped server JSON. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
