/** Progress of a long action, e.g. "part 3/12"; `fraction` is 0..1 of the whole when known. */
export interface ProgressReporter {
  report(message: string, fraction?: number): void;
}

export const nullProgress: ProgressReporter = { report: () => undefined };
