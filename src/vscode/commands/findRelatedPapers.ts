import * as vscode from 'vscode';
import type { RelatedPaper, RelatedResult } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { guarded, resolveInvocation, toNoteDocument } from '../adapters/actionRunner';
import { runWithProgress } from '../ui/progress';
import type { Command } from './command';

/** A passage as one line of a quick pick's detail. */
function excerpt(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

interface PaperItem extends vscode.QuickPickItem {
  readonly paper: RelatedPaper;
}

/**
 * Research: Find Related Papers — the library's papers ranked by how well they match the selection, the
 * paragraph at the cursor or the note, each with its best passage; the chosen ones are linked at the cursor in
 * the note's own syntax. Scripted calls (`{ uri, insert? }`) get the ranking back; `insert: true` links them all.
 */
export class FindRelatedPapersCommand implements Command {
  readonly id = Commands.findRelatedPapers;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<RelatedResult | undefined> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<RelatedResult | undefined> {
    const inv = await resolveInvocation(this.services, args);
    await this.services.library.ready();
    const note = toNoteDocument(inv.document);
    const result = await runWithProgress(vscode.l10n.t('Research: Find Related Papers'), (signal) =>
      this.services.assistant.related(note, { ...(inv.selection ? { selection: inv.selection } : {}), cursor: inv.cursor, signal }),
    );
    if (inv.scripted) {
      if ((args[0] as { insert?: unknown }).insert === true) await this.insert(inv.document, inv.cursor, result.papers);
      return result;
    }
    if (result.papers.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No related papers found in the library.'));
      return result;
    }
    const items: PaperItem[] = result.papers.map((paper) => ({
      label: paper.path,
      description: [
        paper.passage.page !== undefined ? vscode.l10n.t('p. {0}', paper.passage.page) : '',
        paper.passage.section ? `§ ${paper.passage.section}` : '',
        paper.linked ? vscode.l10n.t('already linked') : '',
      ]
        .filter(Boolean)
        .join(' · '),
      detail: excerpt(paper.passage.text),
      paper,
    }));
    const placeHolder =
      result.of === 'selection'
        ? vscode.l10n.t('Papers related to the selection: pick the ones to link at the cursor')
        : result.of === 'paragraph'
          ? vscode.l10n.t('Papers related to this paragraph: pick the ones to link at the cursor')
          : vscode.l10n.t('Papers related to this note: pick the ones to link at the cursor');
    const picked = await vscode.window.showQuickPick(items, { canPickMany: true, matchOnDetail: true, placeHolder });
    if (picked && picked.length > 0)
      await this.insert(
        inv.document,
        inv.cursor,
        picked.map((p) => p.paper),
      );
    return result;
  }

  private async insert(document: vscode.TextDocument, cursor: number, papers: readonly RelatedPaper[]): Promise<void> {
    if (papers.length === 0) return;
    const edit = new vscode.WorkspaceEdit();
    const text = document.getText();
    // A space before the links when the cursor follows a word, so they never glue onto it.
    const before = cursor > 0 && /\S/.test(text.charAt(cursor - 1)) ? ' ' : '';
    edit.insert(document.uri, document.positionAt(cursor), before + papers.map((p) => p.link).join(' '));
    await vscode.workspace.applyEdit(edit);
  }
}
