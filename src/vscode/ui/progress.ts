import * as vscode from 'vscode';
import type { ProgressReporter } from '../../core';

/**
 * Runs a long action under a cancellable notification, so the user can stop a slow local model. The CancellationToken
 * becomes an AbortSignal once, here; `extraSignal` (e.g. "the document was closed") aborts it too.
 */
export async function runWithProgress<T>(
  title: string,
  task: (signal: AbortSignal, progress: ProgressReporter) => Promise<T>,
  extraSignal?: AbortSignal,
): Promise<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const abort = (): void => controller.abort();
      const sub = token.onCancellationRequested(abort);
      if (extraSignal?.aborted) abort();
      extraSignal?.addEventListener('abort', abort, { once: true });
      let last = 0;
      const reporter: ProgressReporter = {
        report: (message, fraction) => {
          // withProgress takes increments; the core reports absolute fractions.
          const increment = fraction === undefined ? undefined : Math.max(0, (fraction - last) * 100);
          if (fraction !== undefined) last = Math.max(last, fraction);
          progress.report({ message, ...(increment !== undefined ? { increment } : {}) });
        },
      };
      try {
        return await task(controller.signal, reporter);
      } finally {
        sub.dispose();
        extraSignal?.removeEventListener('abort', abort);
      }
    },
  );
}
