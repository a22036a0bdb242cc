/** Research: Explain Term: a short definition grounded in the note and its linked papers. */
import { languageInstruction, type ResolvedLanguage } from '../language';
import type { Source } from '../sources/types';
import type { ActionContext, ActionResult, TextSink } from './context';
import { runMarkdownTask } from './pipeline';

export interface ExplainTermInput {
  readonly term: string;
  readonly sources: readonly Source[];
  readonly language: ResolvedLanguage;
}

export async function explainTerm(ctx: ActionContext, input: ExplainTermInput, sink: TextSink): Promise<ActionResult> {
  return runMarkdownTask(ctx, {
    template: ctx.prompts.get('explain-term'),
    values: { term: input.term, language: languageInstruction(input.language) },
    sources: input.sources,
    focus: `what the sources say about the term "${input.term}" (definition, use, figures)`,
    sink,
  });
}
