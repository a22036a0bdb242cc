import * as vscode from 'vscode';
import { AssistantError, summarize } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { collectSources, guarded, paperLinks, resolveInvocation, runInsertion, toNoteDocument } from '../adapters/actionRunner';
import type { Command } from './command';

/** Research: Summarize Linked Paper — the link at the cursor (or picked); the summary goes under the line holding it. */
export class SummarizeLinkedPaperCommand implements Command {
  readonly id = Commands.summarizeLinkedPaper;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    const links = paperLinks(this.services, toNoteDocument(inv.document));
    let link =
      inv.args.link !== undefined
        ? links.find((l) => l.raw === inv.args.link || l.target === inv.args.link)
        : links.find((l) => inv.cursor >= l.start && inv.cursor <= l.end);
    if (!link && inv.args.link === undefined && !inv.scripted && links.length > 0) {
      const picked = await vscode.window.showQuickPick(
        links.map((l) => ({ label: l.raw, description: vscode.l10n.t('line {0}', l.line + 1), link: l })),
        { placeHolder: vscode.l10n.t('Which paper?') },
      );
      if (!picked) return;
      link = picked.link;
    }
    if (!link) throw new AssistantError('NoInput', 'No paper link at the cursor or in the note');
    const chosen = link;
    await runInsertion(this.services, this.id, inv, vscode.l10n.t('Research: Summarize Linked Paper'), async (env, signal) => {
      const collected = await collectSources(
        this.services,
        inv,
        { links: { start: chosen.start, end: chosen.end }, useSelection: false },
        signal,
      );
      const paper = collected.sources.find((s) => s.link?.start === chosen.start) ?? collected.sources[0];
      if (!paper) throw new AssistantError('NoInput', `The link ${chosen.raw} could not be followed`);
      if (paper.status !== 'ok')
        throw new AssistantError('SourceUnreadable', paper.statusDetail ?? `${paper.title}: ${paper.status}`, {
          data: { file: paper.title },
        });
      return {
        kind: 'summary',
        target: `paper:${chosen.raw}`,
        title: `${env.labels.summary}: ${paper.title}`,
        sources: [paper],
        anchorOffset: chosen.end,
        generate: (sink) => summarize(env.ctx, { sources: [paper], language: env.language, templateId: 'summarize-paper' }, sink),
      };
    });
  }
}
