/**
 * Errors the core raises carry a code; the adapter turns codes into localised, actionable UI.
 * The core never builds user-facing sentences beyond a technical `message` for the log.
 */
/** Every code an AssistantError can carry (a runtime list, so an error from another bundle can be recognised). */
export const ASSISTANT_ERROR_CODES = [
  'EndpointUnreachable',
  'RemoteEndpointRefused',
  'Auth',
  'ModelNotFound',
  'NoModels',
  'ContextTooLarge',
  'Busy',
  'UnsupportedParameter',
  'ServerError',
  'SilentFailure',
  'BadResponse',
  'Timeout',
  'InvalidTemplate',
  'SourceUnreadable',
  'NoInput',
  'Untrusted',
  'AlreadyRunning',
  'Cancelled',
] as const;

export type AssistantErrorCode = (typeof ASSISTANT_ERROR_CODES)[number];

export interface AssistantErrorDetails {
  readonly cause?: unknown;
  /** Extra data for the adapter's message (file name, probed URLs, token counts…). */
  readonly data?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/**
 * Raise with `new AssistantError(code, …)`; recognise with `isAssistantError` / `hasErrorCode`, never `instanceof`: the
 * PDF engine is a separate bundle (and a worker thread rebuilds errors it receives), each with its own copy of this
 * class, so an error thrown there is not an instance of the class another bundle sees.
 */
export class AssistantError extends Error {
  override readonly name = 'AssistantError';
  readonly data: Readonly<Record<string, string | number | boolean | undefined>>;

  constructor(
    readonly code: AssistantErrorCode,
    message: string,
    details: AssistantErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.data = details.data ?? {};
  }
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ASSISTANT_ERROR_CODES);

/** True for an AssistantError from any bundle or copy of this module: recognised by its name, code and data. */
export function isAssistantError(error: unknown): error is AssistantError {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; code?: unknown; message?: unknown; data?: unknown };
  return (
    e.name === 'AssistantError' &&
    typeof e.code === 'string' &&
    KNOWN_CODES.has(e.code) &&
    typeof e.message === 'string' &&
    typeof e.data === 'object' &&
    e.data !== null
  );
}

/** True when `error` is an AssistantError (from any bundle) with one of `codes`. */
export function hasErrorCode(error: unknown, ...codes: readonly AssistantErrorCode[]): error is AssistantError {
  return isAssistantError(error) && codes.includes(error.code);
}

/** The single test for "the user or the host cancelled": never reported as a failure. */
export function isCancellationError(error: unknown): boolean {
  if (isAssistantError(error)) return error.code === 'Cancelled';
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === 'AbortError' || name === 'APIUserAbortError' || name === 'Canceled';
}

/** Throws the standard cancellation error when the signal has fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled');
}
