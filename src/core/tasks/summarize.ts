/** Summarize: the selection, else the whole note; the block goes after the selection's block, or as a whole-note result. */
import { summarize } from '../actions/summarize';
import { defaultPlacement, shortHash, type TaskDescriptor } from './task';

export const summarizeTask: TaskDescriptor = {
  id: 'summarize',
  prepare: (input) => ({
    kind: 'summary',
    // A selection's block is found again by the selected text (see choose); the note's by "note".
    target: 'note',
    placement: defaultPlacement(input),
    scope: { links: 'none', useSelection: true },
    choose: (collected, env) => ({
      sources: [collected.note],
      title: env.labels.summary,
      ...(input.request.selection ? { target: `selection:${shortHash(collected.note.text)}` } : {}),
    }),
    generate: (env, sources, sink) => summarize(env.ctx, { sources, language: env.language }, sink),
  }),
};
