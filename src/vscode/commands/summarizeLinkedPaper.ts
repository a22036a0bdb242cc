import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { guarded, resolveInvocation, runTask, toNoteDocument } from '../adapters/actionRunner';
import type { NoteLink } from '../../core';
import type { Command } from './command';

/** Research: Summarize Linked Paper — the link at the cursor (or picked); the summary goes after the list or paragraph holding it. */
export class SummarizeLinkedPaperCommand implements Command {
  readonly id = Commands.summarizeLinkedPaper;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    let link = inv.args.link;
    if (link === undefined && !inv.scripted) {
      const links = this.services.assistant.links(toNoteDocument(inv.document));
      // No link at the cursor: the user picks one.
      if (!links.some((l) => inv.cursor >= l.start && inv.cursor <= l.end) && links.length > 0) {
        const missing = await this.missingLinks(inv.document, links);
        const picked = await vscode.window.showQuickPick(
          links.map((l) => ({
            label: l.raw,
            description: missing.has(l.start) ? vscode.l10n.t('line {0} · missing', l.line + 1) : vscode.l10n.t('line {0}', l.line + 1),
            link: l,
          })),
          { placeHolder: vscode.l10n.t('Which paper?') },
        );
        if (!picked) return;
        link = picked.link.raw;
      }
    }
    await runTask(this.services, inv, vscode.l10n.t('Research: Summarize Linked Paper'), 'summarizePaper', {
      ...(link !== undefined ? { link } : {}),
    });
  }

  /** Start offsets of the links whose file is not there (a stat each), so the picker can say so. */
  private async missingLinks(document: vscode.TextDocument, links: readonly NoteLink[]): Promise<Set<number>> {
    const check = this.services.assistant.sources.linkStatus;
    if (!check) return new Set();
    try {
      const statuses = await check.call(this.services.assistant.sources, toNoteDocument(document), links, AbortSignal.timeout(3000));
      return new Set(statuses.filter((s) => s.status === 'missing').map((s) => s.link.start));
    } catch {
      // A slow or failing check only costs the marks, never the picker.
      return new Set();
    }
  }
}
