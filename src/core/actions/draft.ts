/** Research: Draft Section: paragraphs for an outline or heading, citing the linked papers with the note's own syntax. */
import { languageInstruction, type ResolvedLanguage } from '../language';
import type { Source } from '../sources/types';
import { citationList } from './citations';
import type { ActionContext, ActionResult, TextSink } from './context';
import { runMarkdownTask } from './pipeline';

export interface DraftInput {
  /** The selected outline or heading. */
  readonly outline: string;
  readonly sources: readonly Source[];
  readonly language: ResolvedLanguage;
}

export async function draft(ctx: ActionContext, input: DraftInput, sink: TextSink): Promise<ActionResult> {
  return runMarkdownTask(ctx, {
    template: ctx.prompts.get('draft'),
    values: { outline: input.outline, citations: citationList(input.sources), language: languageInstruction(input.language) },
    sources: input.sources,
    focus: `facts, figures and claims useful for writing: ${input.outline}`,
    sink,
  });
}
