/**
 * Research: Summarize (note or selection) and Summarize Linked Paper: a structured summary with the
 * sections background & aim, methods, key findings, significance / limitations, headings localised by code, each point ending with a source locator.
 */
import { languageInstruction, summaryHeadings, type ResolvedLanguage } from '../language';
import type { Source } from '../sources/types';
import type { ActionContext, ActionResult, TextSink } from './context';
import { runMarkdownTask } from './pipeline';

export interface SummarizeInput {
  /** The note or selection (Summarize), or the linked paper (Summarize Linked Paper). */
  readonly sources: readonly Source[];
  readonly language: ResolvedLanguage;
  /** `summarize` (note/selection) or `summarize-paper`; a user template with the same variables works too. */
  readonly templateId?: string;
}

export async function summarize(ctx: ActionContext, input: SummarizeInput, sink: TextSink): Promise<ActionResult> {
  const template = ctx.prompts.get(input.templateId ?? 'summarize');
  const h = summaryHeadings(input.language);
  return runMarkdownTask(ctx, {
    template,
    values: {
      language: languageInstruction(input.language),
      background: h.background,
      methods: h.methods,
      findings: h.findings,
      significance: h.significance,
    },
    sources: input.sources,
    focus: 'background and aim, methods, key findings with their exact figures, significance and limitations',
    sink,
  });
}
