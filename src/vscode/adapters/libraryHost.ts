import * as vscode from 'vscode';
import { AssistantError, type Library, type LibraryStatus, type Logger } from '../../core';
import { Commands } from '../constants';
import { runWithProgress } from '../ui/progress';

/** Remembered per workspace: once the library was used, the status bar and the watcher start with the features. */
export const LIBRARY_USED_KEY = 'researchAssistant.libraryUsed';

/** Internal command (not in the palette) so integration tests can read the library status bar. */
export const LIBRARY_STATUS_BAR_COMMAND = 'researchAssistant.internal.libraryStatusBar';

/** Files the library reads; a change to any of them is passed on to the library. */
const WATCHED = '**/*.{pdf,md,markdown,txt}';
/** Saves and syncs come in bursts: changes are passed on together after this quiet time. */
const CHANGE_DELAY_MS = 750;

const count = (n: number): string => n.toLocaleString('en-US');

/** "Library 998/1,000": indexed files of all files found. */
export function libraryStatusText(status: LibraryStatus): string {
  return `$(library) ${vscode.l10n.t('Library {0}/{1}', count(status.indexed), count(status.files.length))}`;
}

/** How the library searches: with vectors of which model, still computing them (how far), or by words only. */
export function vectorsText(status: LibraryStatus): string {
  if (status.embedding)
    return vscode.l10n.t(
      'Computing vectors with {0}: {1} of {2} passages (searching by words meanwhile)',
      status.embedding.model,
      count(status.embedding.embedded),
      count(status.embedding.total),
    );
  return status.embeddingModel
    ? vscode.l10n.t('Vectors: {0}', status.embeddingModel)
    : vscode.l10n.t('Word search only (no embedding model)');
}

/**
 * The library in VS Code: the first build under a cancellable progress notification ("312/1,000 files"), then
 * a file watcher passing changes on, and the status bar count. Nothing starts until the library is used in the
 * workspace (a library command, or a former session's use), so activation and workspaces without a library
 * pay nothing.
 */
export class LibraryHost implements vscode.Disposable {
  private built = false;
  private building: Promise<LibraryStatus> | undefined;
  private started = false;
  private item: vscode.StatusBarItem | undefined;
  private text = '';
  private readonly disposables: vscode.Disposable[] = [];
  private pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly stop = new AbortController();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly library: () => Library | undefined,
    private readonly logger: Logger,
  ) {
    this.disposables.push(vscode.commands.registerCommand(LIBRARY_STATUS_BAR_COMMAND, () => ({ text: this.text, shown: !!this.item })));
    if (context.workspaceState.get<boolean>(LIBRARY_USED_KEY)) this.start();
  }

  /** The library, or a clear error in a host that has none. */
  require(): Library {
    const library = this.library();
    if (!library) throw new AssistantError('NoInput', 'The library is not available: this build has no index for the workspace');
    return library;
  }

  /** Whether the workspace has an index with files in it (for offering "Whole library"); never builds. */
  async exists(): Promise<boolean> {
    const library = this.library();
    if (!library) return false;
    try {
      return (await library.status()).files.length > 0;
    } catch (error) {
      this.logger.warn(`library status: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  /**
   * The library brought up to date: the first time in a session under a cancellable notification (cancelling keeps
   * what is done; the command that asked stops), later silently and incrementally.
   */
  async ready(): Promise<Library> {
    const library = this.require();
    if (!this.built) {
      this.building ??= runWithProgress(vscode.l10n.t('Research: Indexing the library'), (signal, progress) =>
        library.update({ signal, progress }),
      ).finally(() => (this.building = undefined));
      const status = await this.building;
      this.built = true;
      this.show(status);
    } else {
      // Files written a moment ago may not have reached the watcher yet: an incremental update finds them (an
      // unchanged file costs a stat), so a command never searches without them.
      await library.update({ signal: AbortSignal.timeout(120_000) });
    }
    void this.context.workspaceState.update(LIBRARY_USED_KEY, true);
    this.start();
    return library;
  }

  /**
   * Which sources Ask About Note and Draft Section draw on: the scripted `scope`, else a quick pick "Linked papers /
   * Whole library" when the workspace has an index (no question otherwise). Undefined when the user dismisses it.
   */
  async chooseScope(given: 'linked' | 'library' | undefined, scripted: boolean): Promise<'linked' | 'library' | undefined> {
    let scope = given ?? (scripted ? 'linked' : undefined);
    if (!scope) {
      if (!(await this.exists())) return 'linked';
      const linked = {
        label: vscode.l10n.t('Linked papers'),
        description: vscode.l10n.t('the note and the papers it links'),
        scope: 'linked' as const,
      };
      const library = {
        label: vscode.l10n.t('Whole library'),
        description: vscode.l10n.t('also passages found across the indexed papers and notes'),
        scope: 'library' as const,
      };
      scope = (await vscode.window.showQuickPick([linked, library], { placeHolder: vscode.l10n.t('Draw on which sources?') }))?.scope;
    }
    if (scope === 'library') await this.ready();
    return scope;
  }

  /** Updates again with options (Retry failed, Rebuild) under the progress notification. */
  async rebuild(options: { retryFailed?: boolean; clear?: boolean }): Promise<LibraryStatus> {
    const library = this.require();
    if (options.clear) await library.clear();
    const status = await runWithProgress(vscode.l10n.t('Research: Indexing the library'), (signal, progress) =>
      library.update({ signal, progress, ...(options.retryFailed ? { retryFailed: true } : {}) }),
    );
    this.built = true;
    this.show(status);
    return status;
  }

  /** Starts the watcher and the status bar item (once). */
  private start(): void {
    if (this.started || !this.library()) return;
    this.started = true;
    const item = vscode.window.createStatusBarItem('researchAssistant.library', vscode.StatusBarAlignment.Right, 99);
    item.name = vscode.l10n.t('Research library');
    item.command = Commands.libraryStatus;
    this.item = item;
    const watcher = vscode.workspace.createFileSystemWatcher(WATCHED);
    const changed = (uri: vscode.Uri): void => this.queue(uri);
    this.disposables.push(item, watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed));
    void this.refresh();
  }

  private queue(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    this.pending.add(uri.toString());
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), CHANGE_DELAY_MS);
  }

  private async flush(): Promise<void> {
    const uris = [...this.pending];
    this.pending = new Set();
    const library = this.library();
    if (!library || uris.length === 0) return;
    try {
      await library.changed(uris, this.stop.signal);
    } catch (error) {
      if (!this.stop.signal.aborted)
        this.logger.warn(`library: changes not applied: ${error instanceof Error ? error.message : String(error)}`);
    }
    await this.refresh();
  }

  /** Reads the status again and shows it. */
  async refresh(): Promise<void> {
    const library = this.library();
    if (!library || !this.item) return;
    try {
      this.show(await library.status());
    } catch (error) {
      this.logger.warn(`library status: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private show(status: LibraryStatus): void {
    if (!this.item) return;
    this.text = libraryStatusText(status);
    this.item.text = this.text;
    const lines = [
      vscode.l10n.t('{0} indexed, {1} failed, {2} skipped, {3} waiting', status.indexed, status.failed, status.skipped, status.pending),
    ];
    lines.push(vectorsText(status));
    lines.push(vscode.l10n.t('Click for the library status.'));
    this.item.tooltip = lines.join('\n');
    this.item.backgroundColor = status.failed > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.stop.abort();
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
