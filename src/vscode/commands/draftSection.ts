import * as vscode from 'vscode';
import { AssistantError, draft, parseNote } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { collectSources, guarded, resolveInvocation, runInsertion, shortHash } from '../adapters/actionRunner';
import type { Command } from './command';

/** Research: Draft Section — paragraphs for the selected outline (or the heading at the cursor), from the linked papers. */
export class DraftSectionCommand implements Command {
  readonly id = Commands.draftSection;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    const text = inv.document.getText();
    let outline = inv.selection
      ? text.slice(inv.selection.start, inv.selection.end)
      : inv.document.lineAt(inv.document.positionAt(inv.cursor).line).text;
    let anchor = inv.selection?.end ?? inv.cursor;
    if (!outline.trim()) {
      // No selection on an empty line: the nearest heading above the cursor (from the markdown-it parse,
      // so a `#` line inside a code block is not taken for a heading).
      const cursorLine = inv.document.positionAt(inv.cursor).line;
      const last = parseNote(text)
        .headings.filter((h) => h.line <= cursorLine)
        .at(-1);
      if (last) {
        const line = inv.document.lineAt(last.line);
        outline = line.text;
        anchor = inv.document.offsetAt(line.range.end);
      }
    }
    if (!outline.trim()) throw new AssistantError('NoInput', 'Select an outline or put the cursor on a heading');
    await runInsertion(this.services, this.id, inv, vscode.l10n.t('Research: Draft Section'), async (env, signal) => {
      const collected = await collectSources(this.services, inv, { links: 'all', useSelection: false }, signal);
      // Context = the linked papers; the note itself only when it links nothing.
      const sources = collected.sources.some((s) => s.status === 'ok') ? collected.sources : [collected.note];
      return {
        kind: 'draft',
        target: `draft:${shortHash(outline.trim())}`,
        title: env.labels.draft,
        sources,
        anchorOffset: anchor,
        generate: (sink) => draft(env.ctx, { outline: outline.trim(), sources, language: env.language }, sink),
      };
    });
  }
}
