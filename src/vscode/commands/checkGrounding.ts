import * as vscode from 'vscode';
import { AssistantError, blockAt, findResearchBlocks, type GroundingReport } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { runWithProgress } from '../ui/progress';
import type { Command } from './command';

/**
 * Research: Check Grounding — re-checks the block at the cursor, or every block of the note when the
 * cursor is outside blocks (or `{ all: true }`), reading the sources again; updates the diagnostics,
 * the `figures` of each block header and the ⚠ marks of table cells.
 * Argument object: `{ uri?, all? }`. Returns the report (for scripts and tests).
 */
export class CheckGroundingCommand implements Command {
  readonly id = Commands.checkGrounding;

  constructor(private readonly services: ExtensionServices) {}

  async execute(...args: unknown[]): Promise<GroundingReport | undefined> {
    const arg = (typeof args[0] === 'object' && args[0] !== null ? args[0] : {}) as { uri?: unknown; all?: unknown };
    const uri = arg.uri instanceof vscode.Uri ? arg.uri : typeof arg.uri === 'string' ? vscode.Uri.parse(arg.uri) : undefined;
    const editor = vscode.window.activeTextEditor;
    const document = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    if (!document)
      throw new AssistantError('NoInput', 'No markdown note is open', {
        data: { detail: vscode.l10n.t('open a note with research blocks') },
      });
    const text = document.getText();
    if (findResearchBlocks(text).length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('This note has no research blocks to check.'));
      return undefined;
    }
    const cursorEditor = editor?.document === document ? editor : undefined;
    const cursor = cursorEditor ? document.offsetAt(cursorEditor.selection.active) : undefined;
    const at = arg.all === true || cursor === undefined || blockAt(text, cursor) === undefined ? undefined : cursor;
    const report = await runWithProgress(vscode.l10n.t('Research: Check Grounding'), (signal) =>
      this.services.grounding.check(document, { ...(at === undefined ? {} : { at }), refreshSources: true, writeEdits: true, signal }),
    );
    const checked = report.blocks.reduce((n, b) => n + b.checked, 0);
    const supported = report.blocks.reduce((n, b) => n + b.supported, 0);
    const summary = vscode.l10n.t(
      'Grounding: figures checked {0}/{1} in {2} block(s); {3} unsupported.',
      supported,
      checked,
      report.blocks.length,
      report.unsupported,
    );
    if (report.unsupported > 0) void vscode.window.showWarningMessage(summary);
    else vscode.window.setStatusBarMessage(summary, 5000);
    return report;
  }
}
