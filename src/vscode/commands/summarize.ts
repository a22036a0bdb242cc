import * as vscode from 'vscode';
import { summarize } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { collectSources, guarded, resolveInvocation, runInsertion, shortHash } from '../adapters/actionRunner';
import type { Command } from './command';

/** End of the first `# ` heading line (where a note summary goes when no cursor is known), else 0. */
function afterTitle(text: string): number {
  const m = /^# .*$/m.exec(text);
  return m ? m.index + m[0].length : 0;
}

/** Research: Summarize — the selection, else the whole note; the block goes below the selection / at the cursor. */
export class SummarizeCommand implements Command {
  readonly id = Commands.summarize;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    await runInsertion(this.services, this.id, inv, vscode.l10n.t('Research: Summarize'), async (env, signal) => {
      const collected = await collectSources(this.services, inv, { links: 'none', useSelection: true }, signal);
      const note = collected.note;
      const anchor = inv.selection ? inv.selection.end : inv.editor ? inv.cursor : afterTitle(inv.document.getText());
      return {
        kind: 'summary',
        // A selection's block is found again by the selected text; the note's by "note".
        target: inv.selection ? `selection:${shortHash(note.text)}` : 'note',
        title: env.labels.summary,
        sources: [note],
        anchorOffset: anchor,
        generate: (sink) => summarize(env.ctx, { sources: [note], language: env.language }, sink),
      };
    });
  }
}
