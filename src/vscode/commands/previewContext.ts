import * as vscode from 'vscode';
import { AssistantError, type CollectedSources, type Source } from '../../core';
import { toNoteDocument } from '../adapters/actionRunner';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { runWithProgress } from '../ui/progress';
import type { Command } from './command';

/** Optional argument object: `{ uri, pick: false }` returns the list without UI (tests, actions). */
export interface PreviewContextArgs {
  readonly uri?: vscode.Uri | string;
  /** false: no quick pick, return every source. Default true. */
  readonly pick?: boolean;
  /** Usable context of the model in tokens, when the caller knows it. */
  readonly usableContext?: number;
  readonly selection?: { readonly start: number; readonly end: number };
}

export interface PreviewContextResult {
  readonly note: Source;
  /** With `pick: false` every linked source (any status); after the quick pick the ones the user kept. */
  readonly sources: readonly Source[];
  readonly totalTokens: number;
  readonly usableContext?: number;
  readonly untrusted: boolean;
}

interface SourceItem extends vscode.QuickPickItem {
  readonly source: Source;
}

function parseArgs(raw: unknown): PreviewContextArgs {
  if (raw instanceof vscode.Uri) return { uri: raw };
  if (typeof raw !== 'object' || raw === null) return {};
  return raw as PreviewContextArgs;
}

function statusLabel(source: Source): string {
  switch (source.status) {
    case 'ok':
      return vscode.l10n.t('ok');
    case 'missing':
      return vscode.l10n.t('missing');
    case 'tooLarge':
      return vscode.l10n.t('too large');
    case 'outsideWorkspace':
      return vscode.l10n.t('outside workspace');
    case 'unsupported':
      return vscode.l10n.t('unsupported type');
    case 'unreadable':
      return vscode.l10n.t('unreadable');
    case 'cycle':
      return vscode.l10n.t('link cycle');
    case 'untrusted':
      return vscode.l10n.t('not read (untrusted workspace)');
    case 'noText':
      return vscode.l10n.t('no text');
  }
}

function total(sources: readonly Source[]): number {
  return sources.filter((s) => s.status === 'ok').reduce((n, s) => n + s.tokenEstimate, 0);
}

/**
 * Research: Preview Context — lists the note and each linked source with its token estimate and status,
 * and the total against the model's usable context (when known); the user can untick sources.
 */
export class PreviewContextCommand implements Command {
  readonly id = Commands.previewContext;

  constructor(private readonly services: ExtensionServices) {}

  async execute(raw?: unknown): Promise<PreviewContextResult | undefined> {
    const args = parseArgs(raw);
    const uri = typeof args.uri === 'string' ? vscode.Uri.parse(args.uri) : args.uri;
    const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!document) throw new AssistantError('NoInput', 'No markdown note is open');
    const editor = vscode.window.activeTextEditor?.document === document ? vscode.window.activeTextEditor : undefined;
    const selection =
      args.selection ??
      (editor && !editor.selection.isEmpty
        ? { start: document.offsetAt(editor.selection.start), end: document.offsetAt(editor.selection.end) }
        : undefined);
    const collected: CollectedSources = await runWithProgress(vscode.l10n.t('Reading linked sources…'), (signal, progress) =>
      this.services.assistant.collect(toNoteDocument(document), { ...(selection ? { selection } : {}), links: 'all', signal, progress }),
    );
    const usableContext = args.usableContext ?? this.usableContext(document.uri);
    this.log(collected);
    if (collected.untrusted) {
      void vscode.window
        .showWarningMessage(
          vscode.l10n.t('This workspace is not trusted, so linked files were not read. Trust the workspace to include them.'),
          vscode.l10n.t('Manage Workspace Trust'),
        )
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
        });
    }
    const result = { note: collected.note, untrusted: collected.untrusted, ...(usableContext ? { usableContext } : {}) };
    if (args.pick === false) return { ...result, sources: collected.sources, totalTokens: collected.totalTokens };
    const kept = await this.pick(collected, usableContext);
    if (!kept) return undefined;
    const sources = kept.filter((s) => s !== collected.note);
    return { ...result, sources, totalTokens: total(kept) };
  }

  /** The override setting, else the connected server's context (no connection is made just to preview). */
  private usableContext(resource: vscode.Uri): number | undefined {
    const config = this.services.config(resource);
    if (config.contextLength > 0) return config.contextLength;
    const status = this.services.llm.status;
    return status.state === 'connected' ? status.info.contextLength : undefined;
  }

  private log(collected: CollectedSources): void {
    for (const s of collected.sources) {
      if (s.status === 'ok') this.services.logger.info(`context: ${s.id} ${s.tokenEstimate} tokens`);
      else this.services.logger.warn(`context: ${s.id} ${s.status}: ${s.statusDetail ?? ''}`);
    }
  }

  private pick(collected: CollectedSources, usableContext: number | undefined): Promise<Source[] | undefined> {
    const all = [collected.note, ...collected.sources];
    const items: SourceItem[] = all.map((source) => ({
      source,
      label: `${source.status === 'ok' ? '$(check)' : '$(warning)'} ${source.title}`,
      description: source.status === 'ok' ? vscode.l10n.t('{0} tokens', source.tokenEstimate.toLocaleString()) : statusLabel(source),
      detail: source.statusDetail ?? source.id,
      picked: source.status === 'ok',
    }));
    const quickPick = vscode.window.createQuickPick<SourceItem>();
    quickPick.canSelectMany = true;
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    quickPick.items = items;
    quickPick.selectedItems = items.filter((i) => i.picked);
    const title = (selected: readonly SourceItem[]): string => {
      const tokens = total(selected.map((i) => i.source));
      return usableContext
        ? vscode.l10n.t('Context: {0} of {1} usable tokens', tokens.toLocaleString(), usableContext.toLocaleString())
        : vscode.l10n.t('Context: {0} tokens (usable context unknown until a server is connected)', tokens.toLocaleString());
    };
    quickPick.title = title(quickPick.selectedItems);
    quickPick.placeholder = vscode.l10n.t('Untick sources to leave them out');
    return new Promise((resolve) => {
      let accepted = false;
      quickPick.onDidChangeSelection((selected) => (quickPick.title = title(selected)));
      quickPick.onDidAccept(() => {
        accepted = true;
        resolve(quickPick.selectedItems.filter((i) => i.source.status === 'ok').map((i) => i.source));
        quickPick.hide();
      });
      quickPick.onDidHide(() => {
        if (!accepted) resolve(undefined);
        quickPick.dispose();
      });
      quickPick.show();
    });
  }
}
