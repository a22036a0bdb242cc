/** Research: Ask About Note: an answer from the note and its linked papers, citing them; "not in the sources" said plainly. */
import { languageInstruction, type ResolvedLanguage } from '../language';
import type { Source } from '../sources/types';
import { citationList } from './citations';
import type { ActionContext, ActionResult, TextSink } from './context';
import { canonicalOrder, runMarkdownTask } from './pipeline';

export interface AskInput {
  readonly question: string;
  readonly sources: readonly Source[];
  readonly language: ResolvedLanguage;
}

export async function ask(ctx: ActionContext, input: AskInput, sink: TextSink): Promise<ActionResult> {
  return runMarkdownTask(ctx, {
    template: ctx.prompts.get('ask'),
    values: {
      question: input.question,
      citations: citationList(canonicalOrder(input.sources)),
      language: languageInstruction(input.language),
    },
    sources: input.sources,
    focus: `facts that answer the question: ${input.question}`,
    sink,
  });
}
