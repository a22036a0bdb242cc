/**
 * A DocumentEditor over a string: the CLI's `--write` streams into one and writes the result to the file;
 * tests drive it like a user (typing, saving, reverting, closing) to exercise the streaming logic.
 */
import type { ContentChange } from './anchor';
import type { TextEditOp } from './editPlan';
import type { NoteDocument } from '../ports/document';
import type { Disposable, DocumentChange, DocumentEditor } from '../ports/documentEditor';

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  on(listener: Listener<T>): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
}

export interface InMemoryEditorOptions {
  readonly uri?: string;
  /**
   * Called before each edit of ours lands; may change the document first (a user's keystroke that wins
   * the race) and return false to refuse the edit, as an editor does when the document changed meanwhile.
   */
  readonly beforeApply?: (edits: readonly TextEditOp[], editor: InMemoryDocumentEditor) => boolean | Promise<boolean>;
}

export class InMemoryDocumentEditor implements DocumentEditor {
  readonly uri: string;
  private text: string;
  /** The text "on disk": what save writes and revert reloads. */
  private saved: string;
  private dirty = false;
  private closed = false;
  private versionNumber = 1;
  /** Edits applied through the port, each one undo step (tests count them). */
  readonly undoStack: Array<{ readonly before: string; readonly after: string }> = [];
  private readonly changes = new Emitter<DocumentChange>();
  private readonly saves = new Emitter<void>();
  private readonly closes = new Emitter<void>();

  constructor(
    text: string,
    private readonly options: InMemoryEditorOptions = {},
  ) {
    this.uri = options.uri ?? 'memory:///note.md';
    this.text = text;
    this.saved = text;
  }

  getText(): string {
    return this.text;
  }

  get version(): number {
    return this.versionNumber;
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The document as the assistant reads it (text and version live): the `note` of a task run into this editor. */
  asNote(languageId = 'markdown'): NoteDocument {
    const version = (): number => this.versionNumber;
    return {
      uri: this.uri,
      languageId,
      getText: () => this.text,
      get version() {
        return version();
      },
    };
  }

  /** The text as last saved (or as loaded). */
  get savedText(): string {
    return this.saved;
  }

  async applyEdits(edits: readonly TextEditOp[]): Promise<boolean> {
    if (this.options.beforeApply && !(await this.options.beforeApply(edits, this))) return false;
    if (this.closed) return false;
    const before = this.text;
    // Applied from the end so every offset refers to the text before the edit, as one event reports them.
    const sorted = [...edits].sort((a, b) => b.start - a.start);
    if (sorted.some((e) => e.start < 0 || e.end > this.text.length || e.start > e.end)) return false;
    this.change(
      sorted.map((e) => ({ offset: e.start, length: e.end - e.start, text: e.text })),
      true,
    );
    this.undoStack.push({ before, after: this.text });
    return true;
  }

  /** The user types or deletes: replaces [start, end) with text. */
  userEdit(start: number, end: number, text: string): void {
    if (this.closed) throw new Error('document closed');
    this.change([{ offset: start, length: end - start, text }], true);
  }

  /** The user's Undo of the last edit applied through the port. */
  undo(): void {
    const last = this.undoStack.pop();
    if (!last || last.after !== this.text) throw new Error('nothing to undo at this state');
    this.change([{ offset: 0, length: this.text.length, text: last.before }], this.text !== this.saved, 'undo');
  }

  save(): void {
    this.saved = this.text;
    this.dirty = false;
    this.saves.fire();
  }

  /** File: Revert — marks the document clean, then reloads the saved text (one change event, clean). */
  revert(): void {
    this.dirty = false;
    if (this.text !== this.saved) this.change([{ offset: 0, length: this.text.length, text: this.saved }], false);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire();
  }

  onDidChange(listener: (change: DocumentChange) => void): Disposable {
    return this.changes.on(listener);
  }

  onDidSave(listener: () => void): Disposable {
    return this.saves.on(listener);
  }

  onDidClose(listener: () => void): Disposable {
    return this.closes.on(listener);
  }

  revertAgain(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.revert();
    return Promise.resolve(true);
  }

  restoreFromDisk(): Promise<void> {
    if (!this.closed && this.text !== this.saved) this.change([{ offset: 0, length: this.text.length, text: this.saved }], false);
    this.dirty = false;
    return Promise.resolve();
  }

  /** Changes are given with offsets into the text before each one, applied in order. */
  private change(changes: readonly ContentChange[], dirtyAfter: boolean, reason?: 'undo' | 'redo'): void {
    let text = this.text;
    for (const c of changes) text = text.slice(0, c.offset) + c.text + text.slice(c.offset + c.length);
    this.text = text;
    this.dirty = dirtyAfter;
    this.versionNumber += 1;
    this.changes.fire({ changes, dirty: this.dirty, ...(reason ? { reason } : {}) });
  }
}
