/**
 * Ask Library: an answer from the passages the library finds for a question, each cited by paper and page in
 * the note's own link syntax. When no passage is relevant the block says "not in the library" without asking
 * the model (or, when the passages found are in another language than the question, that this cannot be told).
 */
import { askLibrary } from '../actions/askLibrary';
import { AssistantError } from '../errors';
import { wholeNotePlacement } from '../insertion/placement';
import type { PassageSource } from './libraryContext';
import { shortHash, type TaskDescriptor } from './task';

/** Passages sent with a question: enough to span a few papers, few enough for a small model's context. */
export const LIBRARY_PASSAGES = 8;

export const askLibraryTask: TaskDescriptor = {
  id: 'askLibrary',
  prepare: (input) => {
    const question = (input.args.question ?? '').trim();
    if (!question) throw new AssistantError('NoInput', 'No question given');
    return {
      kind: 'answer',
      target: `library:${shortHash(question)}`,
      placement: wholeNotePlacement(input.text, input.request.cursor),
      // The library stands for the sources: the note's own links are not read.
      scope: { links: 'none', useSelection: false },
      library: { query: question, limit: LIBRARY_PASSAGES },
      choose: (_collected, env) => {
        const passages = env.passages ?? [];
        const title = `${env.labels.answer}: ${question}`;
        if (passages.length > 0) return { sources: passages, title };
        return { sources: [], title, answer: env.passagesInOtherLanguage ? env.labels.notInLibraryLanguage : env.labels.notInLibrary };
      },
      generate: (env, sources, sink) =>
        askLibrary(
          env.ctx,
          { question, passages: sources.filter((s): s is PassageSource => 'passage' in s), language: env.language },
          sink,
        ),
    };
  },
};
