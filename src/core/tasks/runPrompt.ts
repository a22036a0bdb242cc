/** Run Prompt…: any markdown template (built-in or the user's) on the note or selection. */
import { runPrompt } from '../actions/runPrompt';
import { AssistantError } from '../errors';
import { defaultPlacement, noteAndLinked, selectedText, shortHash, type TaskDescriptor } from './task';

export const runPromptTask: TaskDescriptor = {
  id: 'runPrompt',
  prepare: (input) => {
    const id = input.args.promptId;
    if (!id) throw new AssistantError('NoInput', 'No prompt template given');
    const template = input.prompts.get(id);
    const selection = selectedText(input);
    // Values typed by the user, for the templates that ask for them (part of the block's target).
    const extra: Record<string, string> = {};
    if (template.variables.includes('question')) extra.question = input.args.question ?? '';
    if (template.variables.includes('term')) extra.term = input.args.term ?? selection.trim();
    return {
      kind: 'prompt',
      target: `prompt:${template.id}:${shortHash(selection + JSON.stringify(extra))}`,
      placement: defaultPlacement(input),
      scope: { links: 'all', useSelection: true },
      choose: (collected) => ({ sources: noteAndLinked(collected), title: template.title }),
      generate: (env, sources, sink) =>
        runPrompt(env.ctx, { templateId: template.id, sources, language: env.language, selection, noteTitle: env.noteTitle, extra }, sink),
    };
  },
};
