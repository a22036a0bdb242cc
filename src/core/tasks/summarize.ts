/** Summarize: the selection, else the whole note; the block goes below the selection, at the cursor, or under the title. */
import { summarize } from '../actions/summarize';
import { defaultAnchor, shortHash, type TaskDescriptor } from './task';

/** End of the first `# ` heading line (where a note summary goes when no cursor is known), else 0. */
function afterTitle(text: string): number {
  const m = /^# .*$/m.exec(text);
  return m ? m.index + m[0].length : 0;
}

export const summarizeTask: TaskDescriptor = {
  id: 'summarize',
  prepare: (input) => ({
    kind: 'summary',
    // A selection's block is found again by the selected text (see choose); the note's by "note".
    target: 'note',
    anchorOffset: input.request.selection || input.request.cursor !== undefined ? defaultAnchor(input) : afterTitle(input.text),
    scope: { links: 'none', useSelection: true },
    choose: (collected, env) => ({
      sources: [collected.note],
      title: env.labels.summary,
      ...(input.request.selection ? { target: `selection:${shortHash(collected.note.text)}` } : {}),
    }),
    generate: (env, sources, sink) => summarize(env.ctx, { sources, language: env.language }, sink),
  }),
};
