import * as vscode from 'vscode';
import {
  AssistantError,
  blockLabels,
  explainTerm,
  footnoteLabel,
  mapRangeThrough,
  planFootnote,
  resolveLanguage,
  type OffsetRange,
} from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { collectSources, guarded, resolveInvocation, resultCache, runInsertion, wordAt } from '../adapters/actionRunner';
import { runWithProgress } from '../ui/progress';
import { loadPromptLibrary } from '../adapters/promptFiles';
import { RunningActions } from '../adapters/streamingInsertion';
import type { Command } from './command';

/** End of the paragraph holding an offset (the next blank line), where a callout explanation goes. */
function paragraphEnd(text: string, offset: number): number {
  const blank = /\n[ \t]*\n/g;
  blank.lastIndex = offset;
  const m = blank.exec(text);
  return m ? m.index : text.length;
}

/** Research: Explain Term — a grounded explanation as a footnote at the term, or a callout below its paragraph. */
export class ExplainTermCommand implements Command {
  readonly id = Commands.explainTerm;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    const text = inv.document.getText();
    let range: OffsetRange | undefined = inv.selection ?? wordAt(inv.document, inv.cursor);
    let term = inv.args.term ?? (range ? text.slice(range.start, range.end).trim() : '');
    if (inv.args.term !== undefined && !inv.selection) {
      // A scripted term: explain it where it first occurs in the note.
      const at = text.indexOf(inv.args.term);
      range = at >= 0 ? { start: at, end: at + inv.args.term.length } : undefined;
    }
    if (!term && !inv.scripted) term = (await vscode.window.showInputBox({ prompt: vscode.l10n.t('Term to explain') }))?.trim() ?? '';
    if (!term) throw new AssistantError('NoInput', 'No term selected');
    const where = range ?? { start: inv.cursor, end: inv.cursor };

    if (inv.config.explainTermStyle === 'callout') {
      await runInsertion(this.services, this.id, inv, vscode.l10n.t('Research: Explain Term'), async (env, signal) => {
        const collected = await collectSources(this.services, inv, { links: 'all', useSelection: false }, signal);
        const sources = [collected.note, ...collected.sources];
        return {
          kind: 'explanation',
          target: `term:${term.toLowerCase()}`,
          title: `${env.labels.explanation}: ${term}`,
          sources,
          anchorOffset: paragraphEnd(text, where.end),
          generate: (sink) => explainTerm(env.ctx, { term, sources, language: env.language }, sink),
        };
      });
      return;
    }
    await this.insertFootnote(inv, term, where);
  }

  /** Footnote style: generated first, then applied as one WorkspaceEdit (one undo step) at the tracked term position. */
  private async insertFootnote(inv: Awaited<ReturnType<typeof resolveInvocation>>, term: string, where: OffsetRange): Promise<void> {
    const release = RunningActions.tryStart(this.id, inv.document.uri);
    if (!release) throw new AssistantError('AlreadyRunning', `${this.id} is already running`);
    let tracked = where;
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === inv.document)
        tracked = mapRangeThrough(
          tracked,
          e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, text: c.text })),
        );
    });
    try {
      const explanation = await runWithProgress(vscode.l10n.t('Research: Explain Term'), async (signal, progress) => {
        const session = await this.services.llm.session(inv.config, signal);
        const prompts = await loadPromptLibrary(this.services.context.extensionUri, inv.config, inv.document.uri, this.services.logger);
        const cache = resultCache(this.services);
        const language = resolveLanguage(inv.config.outputLanguage, inv.document.getText());
        const collected = await collectSources(this.services, inv, { links: 'all', useSelection: false }, signal);
        const ctx = {
          session,
          prompts,
          config: inv.config,
          cache: inv.args.regenerate ? cache.regenerating() : cache,
          logger: this.services.logger,
          progress,
          signal,
        };
        const r = await explainTerm(ctx, { term, sources: [collected.note, ...collected.sources], language }, () => undefined);
        return r.finishReason === 'length' ? `${r.text.trim()} ${blockLabels(language).incomplete}` : r.text.trim();
      });
      const edits = planFootnote(inv.document.getText(), tracked.end, footnoteLabel(term), explanation);
      const we = new vscode.WorkspaceEdit();
      for (const e of edits)
        we.replace(inv.document.uri, new vscode.Range(inv.document.positionAt(e.start), inv.document.positionAt(e.end)), e.text);
      if (!(await vscode.workspace.applyEdit(we)))
        throw new AssistantError('Cancelled', 'The note changed while the footnote was inserted');
    } finally {
      sub.dispose();
      release();
    }
  }
}
