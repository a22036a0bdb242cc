/** Compare Linked Papers: one row per linked paper, cells extracted as JSON and rendered as a table by code. */
import { compare } from '../actions/compare';
import { AssistantError } from '../errors';
import { renderTable } from '../insertion/table';
import type { Source } from '../sources/types';
import { defaultPlacement, selectedText, shortHash, type TaskDescriptor } from './task';

/** How a paper is named in the first column: its link as written. */
function paperLabel(source: Source): string {
  return source.link?.raw.replace(/^!/, '') ?? source.title;
}

export const compareTask: TaskDescriptor = {
  id: 'compare',
  prepare: (input) => {
    const columns = input.args.columns ?? input.config.compareColumns;
    if (columns.length === 0) throw new AssistantError('NoInput', 'No columns to compare');
    const selection = input.request.selection;
    return {
      kind: 'comparison',
      target: selection ? `papers:${shortHash(selectedText(input))}` : 'papers',
      placement: defaultPlacement(input),
      // The links in the selection, else every link of the note.
      scope: { links: selection ?? 'all', useSelection: false },
      style: 'plain',
      choose: (collected, env) => {
        // Every linked source is a row (PDFs and markdown papers); unreadable ones get an error cell.
        const papers = [...collected.sources];
        if (papers.length === 0) throw new AssistantError('NoInput', 'The note links no papers to compare');
        return { sources: papers, title: env.labels.comparison };
      },
      generate: async (env, papers, sink) => {
        const r = await compare(env.ctx, { papers, columns, language: env.language, paperLabel });
        const table = renderTable(columns, r.rows, {
          paperHeader: env.language === 'zh-CN' ? '论文' : 'Paper',
          failedLabel: env.labels.failed,
          footnotePrefix: `cmp-${shortHash(columns.join('|'))}-`,
        });
        sink(table);
        return {
          text: table,
          model: r.model,
          fromCache: r.requests === 0,
          finishReason: 'stop',
          warnings: r.warnings,
          requests: r.requests,
          parts: papers.length,
        };
      },
    };
  },
};
