/**
 * Research: Run Prompt…: any template (built-in or the user's). The variables a task can supply are
 * fixed; a template asking for anything else is rejected with an error naming its file.
 */
import { AssistantError } from '../errors';
import { languageInstruction, type ResolvedLanguage } from '../language';
import { missingVariables } from '../prompts/promptTemplate';
import type { Source } from '../sources/types';
import { citationList } from './citations';
import type { ActionContext, ActionResult, TextSink } from './context';
import { runMarkdownTask } from './pipeline';

/** Variables Run Prompt… can fill for any template. */
export const RUN_PROMPT_VARIABLES = ['sources', 'language', 'selection', 'note', 'citations', 'question', 'term', 'outline'] as const;

export interface RunPromptInput {
  readonly templateId: string;
  readonly sources: readonly Source[];
  readonly language: ResolvedLanguage;
  readonly selection: string;
  readonly noteTitle: string;
  /** Extra values typed by the user (question, term…). */
  readonly extra?: Readonly<Record<string, string>>;
}

export async function runPrompt(ctx: ActionContext, input: RunPromptInput, sink: TextSink): Promise<ActionResult> {
  const template = ctx.prompts.get(input.templateId);
  if (template.output !== 'markdown')
    throw new AssistantError('InvalidTemplate', `${template.file}: Run Prompt… inserts markdown; this template declares output: json`, {
      data: { file: template.file, line: 1 },
    });
  const missing = missingVariables(template, [...RUN_PROMPT_VARIABLES]);
  if (missing.length > 0)
    throw new AssistantError(
      'InvalidTemplate',
      `${template.file}: unknown variables ${missing.join(', ')} (Run Prompt… supplies ${RUN_PROMPT_VARIABLES.join(', ')})`,
      { data: { file: template.file, line: 1 } },
    );
  const values: Record<string, string> = {
    language: languageInstruction(input.language),
    selection: input.selection,
    note: input.noteTitle,
    citations: citationList(input.sources),
    question: '',
    term: '',
    outline: input.selection,
    ...input.extra,
  };
  return runMarkdownTask(ctx, { template, values, sources: input.sources, focus: template.description || template.title, sink });
}
