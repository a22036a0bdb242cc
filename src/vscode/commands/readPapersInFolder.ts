import * as vscode from 'vscode';
import { BatchQueue, QUEUE_FILE, fileQueueStore, joinUri, runBatch, type BatchSummary } from '../../core';
import { VsCodeBatchFiles } from '../adapters/vscodeBatchFiles';
import { toNoteDocument } from '../adapters/noteDocument';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { runWithProgress } from '../ui/progress';
import type { Command } from './command';

/** The optional argument object (scripts, tests, the explorer's folder menu): given → no dialogs. */
interface ReadArgs {
  /** A folder of papers. */
  readonly folder?: vscode.Uri;
  /** These papers. */
  readonly papers?: readonly vscode.Uri[];
  /** The workspace's PDFs the queue has never seen. */
  readonly newSinceLastRun?: boolean;
  readonly columns?: readonly string[];
  readonly retryFailed?: boolean;
}

function asUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  return typeof value === 'string' ? (/^[a-z][\w+.-]*:/i.test(value) ? vscode.Uri.parse(value) : vscode.Uri.file(value)) : undefined;
}

function parseArgs(args: readonly unknown[]): ReadArgs | undefined {
  const first = args[0];
  // The explorer's context menu passes the folder it was opened on.
  if (first instanceof vscode.Uri) return { folder: first };
  if (typeof first !== 'object' || first === null) return undefined;
  const o = first as Record<string, unknown>;
  const folder = asUri(o.folder);
  const papers = Array.isArray(o.papers) ? o.papers.flatMap((p) => asUri(p) ?? []) : undefined;
  const columns = Array.isArray(o.columns) ? o.columns.filter((c): c is string => typeof c === 'string') : undefined;
  return {
    ...(folder ? { folder } : {}),
    ...(papers ? { papers } : {}),
    ...(o.newSinceLastRun === true ? { newSinceLastRun: true } : {}),
    ...(columns ? { columns } : {}),
    ...(o.retryFailed === true ? { retryFailed: true } : {}),
  };
}

const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.obsidian/**}';
const byPath = (a: vscode.Uri, b: vscode.Uri): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Research: Read Papers in Folder… — a note per paper and a literature matrix, through the core's batch runner:
 * a cancellable notification and the status bar show "Reading 12/50 · 1 failed · ~4 min left"; at the end a summary
 * lists the failures with their reasons and offers "Retry failed".
 */
export class ReadPapersInFolderCommand implements Command {
  readonly id = Commands.readPapersInFolder;
  private readonly files = new VsCodeBatchFiles();

  constructor(private readonly services: ExtensionServices) {}

  async execute(...args: unknown[]): Promise<BatchSummary | undefined> {
    const given = parseArgs(args);
    const workspace = vscode.workspace.workspaceFolders?.[0];
    if (!workspace) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Research: open a folder or workspace first: the notes are written into it.'));
      return undefined;
    }
    const config = this.services.config(workspace.uri);
    const notesFolder = joinUri(workspace.uri.toString(), config.batchNotesFolder).replace(/\/+$/, '');
    const papers = await this.choosePapers(given, notesFolder);
    if (!papers) return undefined;
    if (papers.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Research: no PDF to read there.'));
      return undefined;
    }
    const columns = given?.columns ?? config.compareColumns;
    return this.read(papers, notesFolder, columns, given?.retryFailed === true, given !== undefined);
  }

  private async read(
    papers: readonly vscode.Uri[],
    notesFolder: string,
    columns: readonly string[],
    retryFailed: boolean,
    scripted: boolean,
  ): Promise<BatchSummary> {
    const { services } = this;
    const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
    status.name = vscode.l10n.t('Research: batch reading');
    status.text = `$(book) ${vscode.l10n.t('Reading papers…')}`;
    status.show();
    let summary: BatchSummary;
    try {
      summary = await runWithProgress(vscode.l10n.t('Research: Read Papers in Folder'), (signal, progress) =>
        runBatch(
          {
            assistant: services.assistant,
            files: this.files,
            folders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString()),
            logger: services.logger,
          },
          {
            papers: papers.map((p) => p.toString()),
            notesFolder,
            columns,
            retryFailed,
            concurrency: services.config(null).concurrency,
            signal,
            onProgress: (p) => {
              status.text = `$(book) ${p.text}`;
              progress.report(p.text, p.total > 0 ? p.finished / p.total : undefined);
            },
          },
        ),
      );
    } finally {
      status.dispose();
    }
    services.logger.info(
      `Batch: ${summary.read} read, ${summary.unchanged} unchanged, ${summary.failures.length} failed, ${summary.requests} request(s)` +
        summary.failures.map((f) => `\n  ${f.name}: ${f.reason}`).join(''),
    );
    if (!scripted) void this.showSummary(summary, papers, notesFolder, columns);
    return summary;
  }

  private async showSummary(
    summary: BatchSummary,
    papers: readonly vscode.Uri[],
    notesFolder: string,
    columns: readonly string[],
  ): Promise<void> {
    const openMatrix = vscode.l10n.t('Open Matrix');
    const retry = vscode.l10n.t('Retry Failed');
    const done = vscode.l10n.t(
      'Research: {0} papers read, {1} unchanged, {2} failed.',
      summary.read,
      summary.unchanged,
      summary.failures.length,
    );
    const actions = summary.matrix ? [openMatrix] : [];
    let choice: string | undefined;
    if (summary.failures.length > 0) {
      const list = summary.failures.map((f) => `${f.name}: ${f.reason}`).join('\n');
      choice = await vscode.window.showWarningMessage(done, { modal: false, detail: list }, retry, ...actions);
      this.services.channel.appendLine(`${done}\n${list}`);
    } else {
      choice = await vscode.window.showInformationMessage(done, ...actions);
    }
    if (choice === openMatrix && summary.matrix) await vscode.window.showTextDocument(vscode.Uri.parse(summary.matrix));
    if (choice === retry) {
      const failed = new Set(summary.failures.map((f) => f.uri));
      await this.read(
        papers.filter((p) => failed.has(p.toString())),
        notesFolder,
        columns,
        true,
        false,
      );
    }
  }

  /** The papers to read: from the arguments, or the user's choice of a folder, the note's papers, or the new ones. */
  private async choosePapers(given: ReadArgs | undefined, notesFolder: string): Promise<vscode.Uri[] | undefined> {
    if (given?.papers) return [...given.papers];
    if (given?.folder) return this.pdfsIn(given.folder, notesFolder);
    if (given?.newSinceLastRun) return this.newPapers(notesFolder);
    const editor = vscode.window.activeTextEditor;
    const note = editor?.document.languageId === 'markdown' ? editor.document : undefined;
    type Choice = vscode.QuickPickItem & { readonly kind2: 'folder' | 'note' | 'new' };
    const items: Choice[] = [
      {
        kind2: 'folder',
        label: `$(folder) ${vscode.l10n.t('A folder…')}`,
        detail: vscode.l10n.t('Every PDF in a folder and its subfolders'),
      },
      ...(note
        ? [
            {
              kind2: 'note' as const,
              label: `$(link) ${vscode.l10n.t('The papers this note links')}`,
              detail: vscode.workspace.asRelativePath(note.uri),
            },
          ]
        : []),
      {
        kind2: 'new',
        label: `$(sparkle) ${vscode.l10n.t('New since the last run')}`,
        detail: vscode.l10n.t('PDFs in the workspace not read before'),
      },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Research: Read Papers in Folder'),
      placeHolder: vscode.l10n.t('Which papers?'),
    });
    if (!picked) return undefined;
    if (picked.kind2 === 'new') return this.newPapers(notesFolder);
    if (picked.kind2 === 'note' && note) {
      const collected = await this.services.assistant.collect(toNoteDocument(note), {
        links: 'all',
        kinds: ['pdf'],
        signal: new AbortController().signal,
      });
      return collected.sources.filter((s) => s.kind === 'pdf').map((s) => vscode.Uri.parse(s.uri));
    }
    const folder = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: vscode.l10n.t('Read Papers'),
      ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
    });
    return folder?.[0] ? this.pdfsIn(folder[0], notesFolder) : undefined;
  }

  private async pdfsIn(folder: vscode.Uri, notesFolder: string): Promise<vscode.Uri[]> {
    const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.pdf'), EXCLUDE);
    return found.filter((u) => !u.toString().startsWith(`${notesFolder}/`)).sort(byPath);
  }

  private async newPapers(notesFolder: string): Promise<vscode.Uri[]> {
    const queue = await BatchQueue.open(fileQueueStore(this.files, joinUri(notesFolder, QUEUE_FILE)), this.services.logger);
    const known = new Set(queue.all().map((e) => e.uri));
    const all = await vscode.workspace.findFiles('**/*.pdf', EXCLUDE);
    return all.filter((u) => !known.has(u.toString())).sort(byPath);
  }
}
