/** Research: Ask Library: an answer from the passages the library found for a question, citing paper and page. */
import { languageInstruction, type ResolvedLanguage } from '../language';
import { passageCitationList, type PassageSource } from '../tasks/libraryContext';
import type { ActionContext, ActionResult, TextSink } from './context';
import { runMarkdownTask } from './pipeline';

export interface AskLibraryInput {
  readonly question: string;
  /** The retrieved passages, best first. */
  readonly passages: readonly PassageSource[];
  readonly language: ResolvedLanguage;
}

export async function askLibrary(ctx: ActionContext, input: AskLibraryInput, sink: TextSink): Promise<ActionResult> {
  return runMarkdownTask(ctx, {
    template: ctx.prompts.get('ask-library'),
    values: {
      question: input.question,
      citations: passageCitationList(input.passages),
      language: languageInstruction(input.language),
    },
    sources: input.passages,
    focus: `facts that answer the question: ${input.question}`,
    sink,
  });
}
