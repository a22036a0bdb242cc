import * as vscode from 'vscode';
import { AssistantError, type CollectedSources, type ContextPreview, type ProgressReporter, type Source } from '../../core';
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
  /** Open the preview document (default: after the quick pick, not with `pick: false`). */
  readonly open?: boolean;
  /** With `pick: false`: source ids to leave out, as unticking them would. */
  readonly exclude?: readonly string[];
  /** `library`: what Ask About Note sends with the whole library, the passages found listed with their tokens. */
  readonly scope?: 'linked' | 'library';
  /** The question the library passages are found for (default: the note's text). */
  readonly question?: string;
}

export interface PreviewContextResult {
  readonly note: Source;
  /** With `pick: false` every linked source (any status); after the quick pick the ones the user kept. */
  readonly sources: readonly Source[];
  readonly totalTokens: number;
  readonly usableContext?: number;
  readonly untrusted: boolean;
  /** What would be sent for the kept sources: messages, tokens per part, total. */
  readonly preview: ContextPreview;
  /** The preview document's text (markdown). */
  readonly text: string;
  /** The preview document, when one was opened. */
  readonly document?: vscode.TextDocument;
  /** The quick pick's rows as shown (label, then description), for scripts and tests. */
  readonly rows?: readonly string[];
  /** The library passages sent with the library scope. */
  readonly passages: readonly Source[];
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
    const usableContext = args.usableContext ?? this.usableContext(document.uri);
    const note = toNoteDocument(document);
    // The library scope only when asked for: the preview's own quick pick is about the linked sources.
    const library = args.scope === 'library' ? { scope: args.scope, ...(args.question ? { question: args.question } : {}) } : {};
    if (args.scope === 'library') await this.services.library.ready();
    const preview = (exclude: readonly string[] | undefined, signal: AbortSignal, progress?: ProgressReporter) =>
      this.services.assistant.preview(note, {
        ...(selection ? { selection } : {}),
        ...(progress ? { progress } : {}),
        ...(exclude ? { exclude } : {}),
        ...(usableContext ? { usableContext } : {}),
        ...library,
        signal,
      });
    const first = await runWithProgress(vscode.l10n.t('Reading linked sources…'), (signal, progress) =>
      preview(args.exclude, signal, progress),
    );
    const { collected } = first;
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
    const base = {
      note: collected.note,
      untrusted: collected.untrusted,
      passages: first.passages,
      ...(usableContext ? { usableContext } : {}),
    };
    if (args.pick === false) {
      const shown = args.open === true ? await this.show(document.uri, first.text) : undefined;
      return {
        ...base,
        sources: collected.sources,
        totalTokens: collected.totalTokens,
        preview: first.preview,
        text: first.text,
        ...(shown ? { document: shown } : {}),
      };
    }
    const picked = await this.pick(collected, first.preview, usableContext);
    if (!picked) return undefined;
    const { kept, rows } = picked;
    const keptIds = new Set(kept.map((s) => s.id));
    const exclude = [collected.note, ...collected.sources].filter((s) => !keptIds.has(s.id)).map((s) => s.id);
    // Sources are cached by now: rendering again for the kept ones reads nothing new.
    const final = exclude.length > 0 ? await preview(exclude, new AbortController().signal) : first;
    const shown = args.open === false ? undefined : await this.show(document.uri, final.text);
    return {
      ...base,
      sources: kept.filter((s) => s !== collected.note),
      totalTokens: final.preview.totalTokens,
      preview: final.preview,
      text: final.text,
      rows,
      ...(shown ? { document: shown } : {}),
    };
  }

  /** A read-only document beside the note: the preview is read, not edited, and never asks to be saved. */
  private show(note: vscode.Uri, text: string): Promise<vscode.TextDocument> {
    const name = note.path.split('/').pop()?.replace(/\.md$/i, '') ?? 'note';
    return this.services.readOnly.show(vscode.l10n.t('Context of {0}', name), text);
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

  private pick(
    collected: CollectedSources,
    preview: ContextPreview,
    usableContext: number | undefined,
  ): Promise<{ kept: Source[]; rows: string[] } | undefined> {
    const all = [collected.note, ...collected.sources];
    // Tokens as sent (the note without its generated blocks), with the instructions counted once.
    const sentTokens = new Map(preview.parts.map((p) => [p.sourceId ?? '', p.tokens]));
    const instructions = preview.parts.find((p) => p.kind === 'instructions')?.tokens ?? 0;
    const tokensOf = (s: Source): number => (s.status === 'ok' ? (sentTokens.get(s.id) ?? s.tokenEstimate) : 0);
    const items: SourceItem[] = all.map((source) => ({
      source,
      // The checkbox already says what is included; an icon only marks a source that cannot be read.
      label: source.status === 'ok' ? source.title : `$(warning) ${source.title}`,
      description: source.status === 'ok' ? vscode.l10n.t('{0} tokens', tokensOf(source).toLocaleString()) : statusLabel(source),
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
      const tokens = instructions + selected.reduce((n, i) => n + tokensOf(i.source), 0);
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
        resolve({
          kept: quickPick.selectedItems.filter((i) => i.source.status === 'ok').map((i) => i.source),
          rows: items.map((i) => `${i.label} ${i.description ?? ''}`.trim()),
        });
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
