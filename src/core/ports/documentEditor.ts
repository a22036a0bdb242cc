/**
 * What inserting a block needs from an editor: the live text, edits that are one undo step each, and the
 * events that tell the user's edits, saves, reverts and closing apart from ours. VS Code implements it
 * over WorkspaceEdit and onDidChangeTextDocument; the core ships an in-memory one (tests, a CLI writing
 * into a file).
 */
import type { ContentChange } from '../insertion/anchor';
import type { TextEditOp } from '../insertion/editPlan';

export interface Disposable {
  dispose(): void;
}

export interface DocumentChange {
  /** The changes in order, with offsets into the text before each one. */
  readonly changes: readonly ContentChange[];
  /** Set when the change is an undo or redo. */
  readonly reason?: 'undo' | 'redo';
  /**
   * Whether the document is marked dirty when the event arrives. A change that leaves a document clean
   * without a save is a revert under way (it marks the document clean, then reloads it from disk).
   */
  readonly dirty: boolean;
}

export interface DocumentEditor {
  readonly uri: string;
  getText(): string;
  readonly version: number;
  readonly isDirty: boolean;
  readonly isClosed: boolean;
  /** Applies the edits as one undo step; false when they could not be applied (the document changed or closed meanwhile). */
  applyEdits(edits: readonly TextEditOp[]): Promise<boolean>;
  onDidChange(listener: (change: DocumentChange) => void): Disposable;
  onDidSave(listener: () => void): Disposable;
  /** The user closed the document (its last tab, or the document itself). Fires at most once. */
  onDidClose(listener: () => void): Disposable;
  /**
   * Reverts the document again when the host can (it is the active editor): true when a revert was started.
   * Used when an edit of ours raced the user's revert.
   */
  revertAgain?(): Promise<boolean>;
  /** Puts the saved file's text back into the document and leaves it clean (the same bytes on disk). */
  restoreFromDisk?(): Promise<void>;
}
