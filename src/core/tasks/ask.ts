/** Ask About Note: an answer from the note and its linked papers, citing them. */
import { ask } from '../actions/ask';
import { AssistantError } from '../errors';
import { wholeNotePlacement } from '../insertion/placement';
import { noteAndLinked, shortHash, type TaskDescriptor } from './task';

export const askTask: TaskDescriptor = {
  id: 'ask',
  prepare: (input) => {
    const question = (input.args.question ?? '').trim();
    if (!question) throw new AssistantError('NoInput', 'No question given');
    return {
      kind: 'answer',
      target: `question:${shortHash(question)}`,
      placement: wholeNotePlacement(input.text, input.request.cursor, input.parse),
      scope: { links: 'all', useSelection: false },
      choose: (collected, env) => ({ sources: noteAndLinked(collected), title: `${env.labels.answer}: ${question}` }),
      generate: (env, sources, sink) => ask(env.ctx, { question, sources, language: env.language }, sink),
    };
  },
};
