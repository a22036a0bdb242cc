import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { AssistantError, isAssistantError, isCancellationError, type AssistantErrorCode } from '../errors';
import { asNumber, asRecord, asString } from './http';

/** Context overflow wording across servers and versions. */
const OVERFLOW = new RegExp(
  [
    'maximum context length',
    'context length is only',
    'exceeds? the available context',
    'larger than the max context',
    'Trying to keep the first',
    'Cannot truncate prompt with n_keep',
    'prompt is longer than the context length',
    'Context size has been exceeded',
    'exceed_context_size',
    'maximum input length',
    'input tokens and requested',
    'is too large: \\d+\\. This model',
    // Embedding endpoints: Ollama's runner, LM Studio, llama.cpp's physical batch.
    'input length exceeds',
    'exceeds (?:the )?(?:maximum )?context length',
    'too large to process',
  ].join('|'),
  'i',
);
const MODEL_MISSING = /model .*not found|does not exist|No models loaded|model_not_found|not found, try pulling/i;

export interface ServerErrorFacts {
  readonly status?: number;
  readonly message: string;
  readonly type?: string;
  readonly code?: string | number;
  readonly body?: Record<string, unknown>;
}

/** Strips HTML to readable text so an HTML error page becomes a one-line detail. */
export function summariseBody(text: string): string {
  const plain = /<html|<!doctype|<body/i.test(text) ? text.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ') : text;
  const oneLine = plain.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine;
}

/** Reads the error object out of any server body shape: `{error:{…}}`, `{error:"…"}`, flat vLLM `{object:"error",…}`. */
export function errorFactsFromBody(status: number | undefined, body: unknown, rawText?: string): ServerErrorFacts {
  const record = asRecord(body);
  const inner = asRecord(record?.error) ?? (record?.object === 'error' ? record : undefined);
  const message =
    asString(inner?.message) ??
    asString(record?.error) ??
    asString(record?.message) ??
    summariseBody(rawText ?? (body === undefined ? '' : JSON.stringify(body)));
  const code = inner?.code;
  return {
    status,
    message,
    type: asString(inner?.type),
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
    body: inner ?? record,
  };
}

/** Maps server error facts to an AssistantError code. */
export function classifyFacts(facts: ServerErrorFacts, extra: Record<string, string | number | boolean | undefined> = {}): AssistantError {
  const { status, message, type } = facts;
  const text = `${type ?? ''} ${String(facts.code ?? '')} ${message}`;
  let code: AssistantErrorCode;
  const data: Record<string, string | number | boolean | undefined> = { ...extra, status, detail: message };
  if (OVERFLOW.test(text)) {
    code = 'ContextTooLarge';
    // llama.cpp gives numbers; vLLM/LM Studio only in the text.
    const body = facts.body ?? {};
    data.promptTokens =
      asNumber(body.n_prompt_tokens) ??
      matchNumber(
        message,
        new RegExp(
          String.raw`request \((\d+) tokens\)|passed (\d+) input tokens|first (\d+) tokens|n_keep \((\d+)\)|has (\d+) input tokens|` +
            String.raw`input \((\d+) tokens\)|Input length (\d+)|requested (\d+) tokens in the input`,
        ),
      );
    data.contextLength =
      asNumber(body.n_ctx) ??
      matchNumber(
        message,
        /context size \((\d+) tokens\)|context length is (?:only )?(\d+)|length of only (\d+)|n_ctx \((\d+)\)|batch size: (\d+)|context length (\d+)/,
      );
  } else if (status === 401 || status === 403 || type === 'authentication_error') code = 'Auth';
  else if (
    status === 404 ||
    type === 'not_found_error' ||
    type === 'NotFoundError' ||
    facts.code === 'model_not_found' ||
    MODEL_MISSING.test(message)
  )
    code = 'ModelNotFound';
  else if (status === 503 || status === 429 || type === 'unavailable_error' || /server busy|Loading model/i.test(message)) code = 'Busy';
  else if (status === 400 || status === 422 || status === 501) code = 'UnsupportedParameter';
  else code = 'ServerError';
  return new AssistantError(code, `${status ?? 'stream'} ${message}`.trim(), { data });
}

function matchNumber(text: string, pattern: RegExp): number | undefined {
  const m = pattern.exec(text);
  if (!m) return undefined;
  const value = m.slice(1).find((g) => g !== undefined);
  return value === undefined ? undefined : Number(value);
}

/**
 * Any error from the openai client, fetch or our own code → AssistantError. Cancellation stays Cancelled.
 * `extra` adds context for the message (endpoint, model).
 */
export function toAssistantError(error: unknown, extra: Record<string, string | number | boolean | undefined> = {}): AssistantError {
  if (isAssistantError(error)) return error;
  if (error instanceof APIUserAbortError || isCancellationError(error))
    return new AssistantError('Cancelled', 'Cancelled', { cause: error });
  if (error instanceof APIConnectionError) {
    // Our fetch wrapper throws AssistantErrors (200-with-error bodies, HTML pages); the client wraps them.
    if (isAssistantError(error.cause)) return error.cause;
    if (isCancellationError(error.cause)) return new AssistantError('Cancelled', 'Cancelled', { cause: error });
    const detail =
      error instanceof APIConnectionTimeoutError ? 'timed out waiting for response headers' : describeCause(error.cause ?? error);
    return new AssistantError('EndpointUnreachable', `Connection failed: ${detail}`, { cause: error, data: { ...extra, detail } });
  }
  if (error instanceof APIError) {
    const body = error.error;
    const facts = errorFactsFromBody(error.status, body === undefined ? undefined : { error: body });
    // A non-JSON body (HTML error page) arrives as the raw message: keep it to one readable line.
    const message = summariseBody(facts.message || error.message.replace(/^\d{3}\s+/, ''));
    return withCause(classifyFacts({ ...facts, message }, extra), error);
  }
  if (error instanceof SyntaxError) {
    return new AssistantError('BadResponse', `Malformed data from the server: ${error.message}`, {
      cause: error,
      data: { ...extra, detail: 'malformed stream data' },
    });
  }
  // fetch reports network failures as TypeError ("fetch failed", "terminated"); other TypeErrors are bugs, not retried.
  if (
    error instanceof TypeError &&
    (error.cause !== undefined || /fetch failed|terminated|network|socket|ECONN|other side closed/i.test(error.message))
  ) {
    const detail = describeCause(error);
    return new AssistantError('EndpointUnreachable', `Connection failed: ${detail}`, { cause: error, data: { ...extra, detail } });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AssistantError('ServerError', message, { cause: error, data: { ...extra, detail: message } });
}

function withCause(error: AssistantError, cause: unknown): AssistantError {
  return new AssistantError(error.code, error.message, { cause, data: error.data });
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const code = asString(asRecord(cause)?.code) ?? asString(asRecord(error)?.code);
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code} ${message}` : message;
}

/** Connection failures and busy servers are worth a retry; everything else is final. */
export function isRetryable(error: AssistantError): boolean {
  return error.code === 'Busy' || (error.code === 'EndpointUnreachable' && error.data.retryable !== false);
}
