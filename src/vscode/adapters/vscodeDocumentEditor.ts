import * as vscode from 'vscode';
import type { Disposable, DocumentChange, DocumentEditor, TextEditOp } from '../../core';

/** Every document URI a tab shows (text editors and both sides of a diff). */
function tabUris(tab: vscode.Tab): vscode.Uri[] {
  const input = tab.input;
  if (input instanceof vscode.TabInputText) return [input.uri];
  if (input instanceof vscode.TabInputTextDiff) return [input.original, input.modified];
  return [];
}

function shownInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => tabUris(t).some((u) => u.toString() === key)));
}

/**
 * Calls `onClosed` once when the user closes the note: its last tab closes (a dirty note is then reverted
 * or saved by the user's answer to the save prompt), or the document is disposed. onDidCloseTextDocument
 * alone is not enough: a document an extension opened stays alive for minutes after its editor closed.
 * A note with no tab when the run starts (a scripted run on a background document) counts as closed only
 * once it was shown and closed again, or disposed.
 */
export function onNoteClosed(document: vscode.TextDocument, onClosed: () => void): vscode.Disposable {
  let shown = shownInTab(document.uri);
  let fired = false;
  const fire = (): void => {
    if (fired) return;
    fired = true;
    onClosed();
  };
  const subs = [
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (d === document) fire();
    }),
    vscode.window.tabGroups.onDidChangeTabs(() => {
      const now = shownInTab(document.uri);
      if (shown && !now) fire();
      shown = now;
    }),
  ];
  return { dispose: () => subs.forEach((d) => d.dispose()) };
}

function reasonOf(reason: vscode.TextDocumentChangeReason | undefined): DocumentChange['reason'] {
  if (reason === vscode.TextDocumentChangeReason.Undo) return 'undo';
  if (reason === vscode.TextDocumentChangeReason.Redo) return 'redo';
  return undefined;
}

/**
 * The DocumentEditor port over one VS Code document. Edits go through a WorkspaceEdit by default; through
 * the visible TextEditor (TextEditor.edit) only when asked: the bench compares both and found no lasting
 * difference in round trip.
 */
export class VsCodeDocumentEditor implements DocumentEditor {
  readonly uri: string;

  constructor(
    private readonly document: vscode.TextDocument,
    private readonly options: { readonly viaEditor?: boolean } = {},
  ) {
    this.uri = document.uri.toString();
  }

  getText(): string {
    return this.document.getText();
  }

  get version(): number {
    return this.document.version;
  }

  get isDirty(): boolean {
    return this.document.isDirty;
  }

  get isClosed(): boolean {
    return this.document.isClosed;
  }

  private range(start: number, end: number): vscode.Range {
    return new vscode.Range(this.document.positionAt(start), this.document.positionAt(end));
  }

  /** One call = one undo step; false when the document changed since our view of it (both APIs check the version). */
  async applyEdits(edits: readonly TextEditOp[]): Promise<boolean> {
    const document = this.document;
    const editor = this.options.viaEditor ? vscode.window.visibleTextEditors.find((e) => e.document === document) : undefined;
    try {
      if (editor) return await editor.edit((b) => edits.forEach((e) => b.replace(this.range(e.start, e.end), e.text)));
      const we = new vscode.WorkspaceEdit();
      for (const e of edits) we.replace(document.uri, this.range(e.start, e.end), e.text);
      return await vscode.workspace.applyEdit(we);
    } catch {
      // "… has changed in the meantime": the user's edit arrived first (or the editor closed meanwhile).
      return false;
    }
  }

  onDidChange(listener: (change: DocumentChange) => void): Disposable {
    return vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== this.document) return;
      const reason = reasonOf(e.reason);
      listener({
        changes: e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, text: c.text })),
        // The document's dirty state as the event arrives (a revert marks the note clean before it reloads it).
        dirty: e.document.isDirty,
        ...(reason ? { reason } : {}),
      });
    });
  }

  onDidSave(listener: () => void): Disposable {
    return vscode.workspace.onDidSaveTextDocument((d) => {
      if (d === this.document) listener();
    });
  }

  onDidClose(listener: () => void): Disposable {
    return onNoteClosed(this.document, listener);
  }

  /** Only the active editor's note can be reverted by command. */
  revertAgain(): Promise<boolean> {
    if (this.document.isClosed || vscode.window.activeTextEditor?.document !== this.document) return Promise.resolve(false);
    void vscode.commands.executeCommand('workbench.action.files.revert');
    return Promise.resolve(true);
  }

  /**
   * Puts the file's text on disk back into the note's model and saves it (the same bytes), leaving the model
   * clean. Also when the model is already marked clean but holds other text: an edit that landed inside a
   * revert, between its reload and its marking the note clean.
   */
  async restoreFromDisk(): Promise<void> {
    const document = this.document;
    try {
      const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(document.uri));
      if (document.isClosed || (!document.isDirty && document.getText() === onDisk)) return;
      if (document.getText() !== onDisk) {
        const we = new vscode.WorkspaceEdit();
        we.replace(document.uri, this.range(0, document.getText().length), onDisk);
        if (!(await vscode.workspace.applyEdit(we))) return;
      }
      await document.save();
    } catch {
      // The file is gone or unreadable: nothing to restore.
    }
  }
}
