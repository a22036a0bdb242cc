/**
 * Errors the core raises carry a code; the adapter turns codes into localised, actionable UI.
 * The core never builds user-facing sentences beyond a technical `message` for the log.
 */
export type AssistantErrorCode =
  | 'EndpointUnreachable'
  | 'RemoteEndpointRefused'
  | 'Auth'
  | 'ModelNotFound'
  | 'NoModels'
  | 'ContextTooLarge'
  | 'Busy'
  | 'UnsupportedParameter'
  | 'ServerError'
  | 'SilentFailure'
  | 'BadResponse'
  | 'Timeout'
  | 'InvalidTemplate'
  | 'SourceUnreadable'
  | 'NoInput'
  | 'Untrusted'
  | 'AlreadyRunning'
  | 'Cancelled';

export interface AssistantErrorDetails {
  readonly cause?: unknown;
  /** Extra data for the adapter's message (file name, probed URLs, token counts…). */
  readonly data?: Readonly<Record<string, string | number | boolean | undefined>>;
}

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

/** The single test for "the user or the host cancelled": never reported as a failure. */
export function isCancellationError(error: unknown): boolean {
  if (error instanceof AssistantError) return error.code === 'Cancelled';
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === 'AbortError' || name === 'APIUserAbortError' || name === 'Canceled';
}

/** Throws the standard cancellation error when the signal has fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled');
}
