/**
 * Compare Linked Papers: one row per linked paper (a PDF or a bibliography entry; linked notes are context,
 * not papers), cells extracted as JSON and rendered as a table by code.
 */
import { compare } from '../actions/compare';
import { AssistantError } from '../errors';
import { loadDisplayWidth, renderTable } from '../insertion/table';
import type { NoteLink } from '../markdown/links';
import type { Source } from '../sources/types';
import { defaultPlacement, selectedText, shortHash, type TaskDescriptor } from './task';

/** How a paper is named in the first column: its link as written. */
function paperLabel(source: Source): string {
  return source.link?.raw.replace(/^!/, '') ?? source.title;
}

/** A row of the comparison: a linked PDF or a citation of a bibliography entry. */
export function isComparedPaper(link: Pick<NoteLink, 'citekey' | 'target'>): boolean {
  return link.citekey !== undefined || /\.pdf$/i.test(link.target);
}

export const compareTask: TaskDescriptor = {
  id: 'compare',
  prepare: (input) => {
    const columns = input.args.columns ?? input.config.compareColumns;
    if (columns.length === 0) throw new AssistantError('NoInput', 'No columns to compare');
    const selection = input.request.selection;
    const inScope = (l: NoteLink): boolean => !selection || (l.start < selection.end && l.end > selection.start);
    const papers = input.paperLinks.filter((l) => inScope(l) && isComparedPaper(l));
    if (papers.length === 0)
      throw new AssistantError('NoInput', `The ${selection ? 'selection' : 'note'} links no papers (PDFs or citations) to compare`, {
        data: { reason: selection ? 'noPapersInSelection' : 'noPapers' },
      });
    const rowStarts = new Set(papers.map((l) => l.start));
    return {
      kind: 'comparison',
      target: selection ? `papers:${shortHash(selectedText(input))}` : 'papers',
      placement: defaultPlacement(input),
      // The links in the selection, else every link of the note.
      scope: { links: selection ?? 'all', useSelection: false },
      style: 'plain',
      choose: (collected, env) => {
        // Every linked paper is a row (an unreadable one gets an error cell); linked notes are not rows.
        const rows = collected.sources.filter((s) => s.link !== undefined && rowStarts.has(s.link.start));
        return { sources: rows, title: env.labels.comparison };
      },
      generate: async (env, papers, sink) => {
        const r = await compare(env.ctx, { papers, columns, language: env.language, paperLabel });
        const table = renderTable(columns, r.rows, {
          paperHeader: env.language === 'zh-CN' ? '论文' : 'Paper',
          failedLabel: env.labels.failed,
          width: await loadDisplayWidth(),
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
