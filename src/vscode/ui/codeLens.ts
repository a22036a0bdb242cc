import * as vscode from 'vscode';
import { findBlocks } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { paperLinks, toNoteDocument } from '../adapters/actionRunner';
import { onConfigChange } from '../adapters/vscodeConfig';

/** "Summarize · Compare" above lines that hold paper links (setting `researchAssistant.codeLens`). */
class PaperLinkCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly services: ExtensionServices) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.services.config(document.uri).codeLens) return [];
    // Links quoted inside the assistant's own blocks get no lens.
    const blocks = findBlocks(document.getText());
    const links = paperLinks(this.services, toNoteDocument(document)).filter((l) => !blocks.some((b) => l.start >= b.start && l.start < b.end));
    const lenses: vscode.CodeLens[] = [];
    const seenLines = new Set<number>();
    for (const link of links) {
      if (seenLines.has(link.line)) continue;
      seenLines.add(link.line);
      const range = document.lineAt(link.line).range;
      lenses.push(
        new vscode.CodeLens(range, { title: vscode.l10n.t('Summarize'), command: Commands.summarizeLinkedPaper, arguments: [{ uri: document.uri, link: link.raw }] }),
        new vscode.CodeLens(range, { title: vscode.l10n.t('Compare'), command: Commands.compareLinkedPapers, arguments: [document.uri] }),
      );
    }
    return lenses;
  }
}

export function registerPaperCodeLens(services: ExtensionServices): vscode.Disposable {
  const provider = new PaperLinkCodeLensProvider(services);
  return vscode.Disposable.from(
    vscode.languages.registerCodeLensProvider({ language: 'markdown' }, provider),
    onConfigChange(() => provider.refresh()),
  );
}
