import * as vscode from 'vscode';
import { AssistantError, RUN_PROMPT_VARIABLES, missingVariables, runPrompt } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { loadPromptLibrary } from '../adapters/promptFiles';
import { collectSources, guarded, resolveInvocation, runInsertion, shortHash } from '../adapters/actionRunner';
import type { Command } from './command';

/** Research: Run Prompt… — any markdown template (built-in or from the prompts folder) on the note or selection. */
export class RunPromptCommand implements Command {
  readonly id = Commands.runPrompt;

  constructor(private readonly services: ExtensionServices) {}

  execute(...args: unknown[]): Promise<void> {
    return guarded(this.services, this.id, args, () => this.run(args));
  }

  private async run(args: readonly unknown[]): Promise<void> {
    const inv = await resolveInvocation(this.services, args);
    const library = await loadPromptLibrary(this.services.context.extensionUri, inv.config, inv.document.uri, this.services.logger);
    // Templates Run Prompt… can fill: markdown output, only variables it knows ('notes' is internal to map-reduce).
    const runnable = library
      .list()
      .filter((t) => t.output === 'markdown' && t.id !== 'notes' && missingVariables(t, [...RUN_PROMPT_VARIABLES]).length === 0);
    let id = inv.args.promptId;
    if (!id && !inv.scripted) {
      const picked = await vscode.window.showQuickPick(
        runnable.map((t) => ({
          label: t.title,
          description: t.origin === 'user' ? vscode.l10n.t('(workspace)') : t.id,
          detail: t.description,
          id: t.id,
        })),
        { placeHolder: vscode.l10n.t('Prompt template to run') },
      );
      if (!picked) return;
      id = picked.id;
    }
    if (!id) throw new AssistantError('NoInput', 'No prompt template given');
    const template = library.get(id);
    const selection = inv.selection ? inv.document.getText().slice(inv.selection.start, inv.selection.end) : '';
    const extra: Record<string, string> = {};
    if (template.variables.includes('question')) {
      const q =
        inv.args.question ??
        (inv.scripted ? undefined : await vscode.window.showInputBox({ prompt: vscode.l10n.t('Question'), ignoreFocusOut: true }));
      if (q === undefined) return;
      extra.question = q;
    }
    if (template.variables.includes('term')) extra.term = inv.args.term ?? selection.trim();
    await runInsertion(this.services, this.id, inv, template.title, async (env, signal) => {
      const collected = await collectSources(this.services, inv, { links: 'all', useSelection: true }, signal);
      const sources = [collected.note, ...collected.sources];
      return {
        kind: 'prompt',
        target: `prompt:${template.id}:${shortHash(selection + JSON.stringify(extra))}`,
        title: template.title,
        sources,
        anchorOffset: inv.selection?.end ?? inv.cursor,
        generate: (sink) =>
          runPrompt(
            env.ctx,
            {
              templateId: template.id,
              sources,
              language: env.language,
              selection,
              noteTitle: vscode.workspace.asRelativePath(inv.document.uri),
              extra,
            },
            sink,
          ),
      };
    });
  }
}
