import type { ChatResult, ChatStream } from './types';

/**
 * A push queue exposed as the AsyncIterable half of a ChatStream. The producer runs whether or not anyone
 * iterates (so `result` alone works); leaving the loop early (`break`) calls `onStop`, which cancels the request.
 */
export class TextQueue {
  private readonly items: string[] = [];
  private ended = false;
  private failure: unknown;
  private wake: (() => void) | undefined;

  push(text: string): void {
    if (text.length === 0 || this.ended) return;
    this.items.push(text);
    this.notify();
  }

  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  iterate(onStop: () => void): AsyncIterator<string> {
    return {
      next: async (): Promise<IteratorResult<string>> => {
        for (;;) {
          const item = this.items.shift();
          if (item !== undefined) return { value: item, done: false };
          if (this.ended) {
            if (this.failure !== undefined) throw this.failure;
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
        }
      },
      return: (): Promise<IteratorResult<string>> => {
        if (!this.ended) onStop();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/** Builds a ChatStream from a producer that pushes visible text and resolves with the result. */
export function makeChatStream(produce: (push: (text: string) => void) => Promise<ChatResult>, cancel: () => void): ChatStream {
  const queue = new TextQueue();
  const result = produce((text) => queue.push(text)).then(
    (r) => {
      queue.end();
      return r;
    },
    (error: unknown) => {
      queue.end(error);
      throw error;
    },
  );
  // Callers that only iterate still get the error from the iterator; this keeps Node from reporting it as unhandled.
  result.catch(() => undefined);
  return {
    result,
    [Symbol.asyncIterator]: () => queue.iterate(cancel),
  };
}
