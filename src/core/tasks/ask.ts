/** Ask About Note: an answer from the note and its linked papers (and, with the library scope, library passages), citing them. */
import { ask } from '../actions/ask';
import { AssistantError } from '../errors';
import { wholeNotePlacement } from '../insertion/placement';
import { LIBRARY_PASSAGES } from './askLibrary';
import { noteAndLinked, shortHash, type TaskDescriptor } from './task';

export const askTask: TaskDescriptor = {
  id: 'ask',
  prepare: (input) => {
    const question = (input.args.question ?? '').trim();
    if (!question) throw new AssistantError('NoInput', 'No question given');
    const library = input.args.scope === 'library';
    return {
      kind: 'answer',
      target: `question:${shortHash(question)}${library ? ':library' : ''}`,
      placement: wholeNotePlacement(input.text, input.request.cursor, input.parse),
      scope: { links: 'all', useSelection: false },
      ...(library ? { library: { query: question, limit: LIBRARY_PASSAGES } } : {}),
      choose: (collected, env) => ({
        sources: [...noteAndLinked(collected), ...(env.passages ?? [])],
        title: `${env.labels.answer}: ${question}`,
      }),
      generate: (env, sources, sink) => ask(env.ctx, { question, sources, language: env.language }, sink),
    };
  },
};
