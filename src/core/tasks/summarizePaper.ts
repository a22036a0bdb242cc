/** Summarize Linked Paper: the link given (or at the cursor); the summary goes after the block (list, paragraph) holding it. */
import { summarize } from '../actions/summarize';
import { AssistantError } from '../errors';
import type { TaskDescriptor } from './task';

export const summarizePaperTask: TaskDescriptor = {
  id: 'summarizePaper',
  prepare: (input) => {
    const links = input.paperLinks;
    const wanted = input.args.link;
    const cursor = input.request.cursor ?? input.request.selection?.end ?? 0;
    const link =
      wanted !== undefined
        ? links.find((l) => l.raw === wanted || l.target === wanted)
        : links.find((l) => cursor >= l.start && cursor <= l.end);
    if (!link) throw new AssistantError('NoInput', 'No paper link at the cursor or in the note');
    return {
      kind: 'summary',
      target: `paper:${link.raw}`,
      placement: { after: 'block', at: link.start },
      scope: { links: { start: link.start, end: link.end }, useSelection: false },
      choose: (collected, env) => {
        const paper = collected.sources.find((s) => s.link?.start === link.start) ?? collected.sources[0];
        if (!paper) throw new AssistantError('NoInput', `The link ${link.raw} could not be followed`);
        // A missing or unreadable paper is named by the input check, before connecting.
        return { sources: [paper], title: `${env.labels.summary}: ${paper.title}` };
      },
      generate: (env, sources, sink) => summarize(env.ctx, { sources, language: env.language, templateId: 'summarize-paper' }, sink),
    };
  },
};
