/** Exit codes of `research-assistant`, stable for scripts. */
export const ExitCode = {
  /** Done. */
  Ok: 0,
  /** Done, with problems: unsupported figures, a cut-off answer, failed papers. */
  Problems: 1,
  /** The command line (or a settings file, or an environment variable) cannot be used as given; nothing ran. */
  Usage: 2,
  /** No model server, or the server failed: connection, authentication, model, timeouts. */
  Server: 3,
  /** Input: a note or paper missing, unreadable, untrusted, or nothing left to send. */
  Input: 4,
  /** Interrupted (Ctrl-C): cached parts are kept, a re-run resumes. */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure that is about how the tool was called, not about the work. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A file the command was given is missing or cannot be used. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
