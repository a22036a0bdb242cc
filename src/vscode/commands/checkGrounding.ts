import * as vscode from 'vscode';
import { AssistantError, blockAt, findResearchBlocks, type GroundingReport } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { runWithProgress } from '../ui/progress';
import type { Command } from './command';

/** The report, and the summary shown to the user. */
export interface CheckGroundingResult extends GroundingReport {
  readonly summary: string;
}

/**
 * Research: Check Grounding — re-checks the block at the cursor, or every block of the note when the
 * cursor is outside blocks (or `{ all: true }`), reading the sources again; updates the diagnostics,
 * the `figures` of each block header and the ⚠ marks of table cells.
 * Argument object: `{ uri?, all? }`. Returns the report (for scripts and tests).
 */
export class CheckGroundingCommand implements Command {
  readonly id = Commands.checkGrounding;

  constructor(private readonly services: ExtensionServices) {}

  async execute(...args: unknown[]): Promise<CheckGroundingResult | undefined> {
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
    const summary = vscode.l10n.t('{0} figures checked: {1} found in the sources, {2} not found.', checked, supported, checked - supported);
    const notFound = checked - supported > 0;
    if (notFound) {
      const show = vscode.l10n.t('Show Problems');
      void vscode.window.showWarningMessage(summary, show).then((choice) => {
        if (choice === show) void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
    } else vscode.window.setStatusBarMessage(summary, 5000);
    this.services.logger.info(`Check Grounding: ${summary}`);
    return { ...report, summary };
  }
}
