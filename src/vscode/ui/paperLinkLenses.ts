import * as vscode from 'vscode';
import { findBlocks } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { toNoteDocument } from '../adapters/actionRunner';

/** "Summarize · Compare" above each line that holds paper links (feature bundle; codeLens.ts asks for them). */
export function paperLinkLenses(services: ExtensionServices, document: vscode.TextDocument): vscode.CodeLens[] {
  // Links quoted inside the assistant's own blocks get no lens.
  const blocks = findBlocks(document.getText());
  const links = services.assistant
    .links(toNoteDocument(document))
    .filter((l) => !blocks.some((b) => l.start >= b.start && l.start < b.end));
  const lenses: vscode.CodeLens[] = [];
  const seenLines = new Set<number>();
  for (const link of links) {
    if (seenLines.has(link.line)) continue;
    seenLines.add(link.line);
    const range = document.lineAt(link.line).range;
    lenses.push(
      new vscode.CodeLens(range, {
        title: vscode.l10n.t('Summarize'),
        command: Commands.summarizeLinkedPaper,
        arguments: [{ uri: document.uri, link: link.raw }],
      }),
      new vscode.CodeLens(range, { title: vscode.l10n.t('Compare'), command: Commands.compareLinkedPapers, arguments: [document.uri] }),
    );
  }
  return lenses;
}
