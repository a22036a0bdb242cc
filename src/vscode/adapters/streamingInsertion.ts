import * as vscode from 'vscode';
import {
  StreamingInsertion,
  isCancellationError,
  planTarget,
  type ActionResult,
  type BlockSpec,
  type InsertionTarget,
  type Logger,
  type OnCancel,
  type TextEditOp,
  type TextSink,
} from '../../core';

/** Streamed edits at most every 33 ms (≤ ~30 per second, PRODUCT.md §6). */
const BATCH_MS = 33;
/** How often a final edit is retried when the user's typing keeps winning the race. */
const MAX_RETRIES = 50;
/**
 * How long streamed edits wait after a change that left the note clean and was not ours: a revert, as
 * "Don't Save" in the close prompt does just before the editor closes. An edit landing in between would
 * make the closing note dirty again (and prompt again). A false alarm only delays the stream this much.
 */
const REVERT_PAUSE_MS = 500;

/** A finished insertion: what the grounding check (issue #6) needs to check the block against its sources. */
export interface InsertedBlock {
  readonly document: vscode.TextDocument;
  /** The block's range, markers included, right after insertion. */
  readonly range: vscode.Range;
  readonly spec: BlockSpec;
  /** Source ids as written in the block header. */
  readonly sources: readonly string[];
  readonly body: string;
  readonly incomplete: boolean;
}

const insertedEmitter = new vscode.EventEmitter<InsertedBlock>();
/** Fires after every completed insertion; the grounding checker subscribes to add diagnostics and "figures checked". */
export const onDidInsertBlock: vscode.Event<InsertedBlock> = insertedEmitter.event;

function toRange(document: vscode.TextDocument, start: number, end: number): vscode.Range {
  return new vscode.Range(document.positionAt(start), document.positionAt(end));
}

/**
 * One edit = one undo step; false when the document changed since our view of it (both APIs check the
 * version). A WorkspaceEdit by default; TextEditor.edit (when the note is visible) only when asked: the bench
 * compares both and found no lasting difference in round trip (bench/README.md).
 */
async function applyOne(document: vscode.TextDocument, edit: TextEditOp, viaEditor: boolean): Promise<boolean> {
  const range = toRange(document, edit.start, edit.end);
  const editor = viaEditor ? vscode.window.visibleTextEditors.find((e) => e.document === document) : undefined;
  try {
    if (editor) return await editor.edit((b) => b.replace(range, edit.text));
    const we = new vscode.WorkspaceEdit();
    we.replace(document.uri, range, edit.text);
    return await vscode.workspace.applyEdit(we);
  } catch {
    // "… has changed in the meantime": the user's edit arrived first (or the editor closed meanwhile).
    return false;
  }
}

/**
 * Puts the file's text on disk back into a note's model and saves it (the same bytes), leaving the model
 * clean. Also when the model is already marked clean but holds other text: an edit that landed inside a
 * revert, between its reload and its marking the note clean.
 */
async function restoreFromDisk(document: vscode.TextDocument): Promise<void> {
  try {
    const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(document.uri));
    if (document.isClosed || (!document.isDirty && document.getText() === onDisk)) return;
    if (document.getText() !== onDisk) {
      const we = new vscode.WorkspaceEdit();
      we.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), onDisk);
      if (!(await vscode.workspace.applyEdit(we))) return;
    }
    await document.save();
  } catch {
    // The file is gone or unreadable: nothing to restore.
  }
}

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

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

export interface StreamIntoDocumentOptions {
  readonly document: vscode.TextDocument;
  readonly spec: BlockSpec;
  /** Offset in the document whose line the block goes after (ignored when an own block is replaced). */
  readonly anchorOffset: number;
  readonly onCancel: OnCancel;
  readonly logger: Logger;
  /** Runs the action, feeding visible text into the sink. */
  readonly generate: (sink: TextSink) => Promise<ActionResult>;
  /** Turns the final model text into the block body (e.g. a table rendered by code). Defaults to the text. */
  readonly finalBody?: (result: ActionResult) => string;
  /**
   * Last look at the final block before it is inserted (the grounding check records "figures" here), so the
   * header is part of the one insertion edit and a single Undo still removes everything.
   */
  readonly prepareFinal?: (body: string, spec: BlockSpec) => { readonly body: string; readonly spec: BlockSpec };
  /** Edit through the visible TextEditor when there is one (default false: always a WorkspaceEdit). */
  readonly viaEditor?: boolean;
  /** The user reverted the note, discarding the streamed text: no edit follows; the caller should cancel the run. */
  readonly onDiscarded?: () => void;
  /** Timing of every streamed batch (the bench decomposes the arrival → visible lag with it). */
  readonly onBatch?: (batch: BatchTiming) => void;
}

/** performance.now() stamps of one streamed batch. */
export interface BatchTiming {
  /** The first text of this batch reached the sink. */
  readonly queuedAt: number;
  /** The batch's edit was handed to applyEdit. */
  readonly sentAt: number;
  /** applyEdit resolved (the change event arrived just before). */
  readonly doneAt: number;
  readonly ok: boolean;
  readonly chars: number;
}

/**
 * Streams an action's output into the document: batched edits anchored to a range that follows the
 * user's edits, then the end as two edits — remove the streamed text, insert the final block as the last,
 * separate edit — so one Undo removes exactly the insertion. Cancel removes or keeps (incomplete) per setting.
 */
export async function streamIntoDocument(options: StreamIntoDocumentOptions): Promise<{ result: ActionResult; block: InsertedBlock }> {
  const { document, spec, logger } = options;
  const target: InsertionTarget = planTarget(document.getText(), { kind: spec.kind, target: spec.attributes.target }, options.anchorOffset);
  const ins = new StreamingInsertion(spec, target);
  const viaEditor = options.viaEditor ?? false;
  let inFlight: Promise<void> | undefined;
  let lastFlush = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  /** When the oldest text not yet handed to applyEdit arrived. */
  let queuedAt: number | undefined;
  /** Set once the end began: no batch may land between the removal and the final insert. */
  let stopped = false;
  /** The edit of ours awaiting its round trip, to tell its change event from others. */
  let sending: TextEditOp | undefined;
  /** No edit before this time (Date.now()); see REVERT_PAUSE_MS. */
  let pausedUntil = 0;
  const apply = async (edit: TextEditOp): Promise<boolean> => {
    sending = edit;
    try {
      return await applyOne(document, edit, viaEditor);
    } finally {
      sending = undefined;
    }
  };

  /** The user saved: the note is rightly clean until a change makes it dirty again. */
  let savedClean = false;
  const saveSub = vscode.workspace.onDidSaveTextDocument((d) => {
    if (d === document) savedClean = true;
  });
  /**
   * The user discarded the note's changes while our text was shown: the run stops, no edit of ours
   * follows. `spoiled`: one of our edits landed between the revert marking the note clean and reloading
   * it, so the note may still hold streamed text; the revert is completed once it has settled.
   */
  const discard = (spoiled: boolean): void => {
    if (closed) return;
    closed = true;
    options.onDiscarded?.();
    // Also when an edit of ours is still on its way: it can land inside the revert without its change event
    // looking like ours (seen once in a fresh-clone run: the note clean, holding a streamed word the file
    // does not have). The check finds nothing to do after a clean revert.
    if (spoiled || inFlight) undoRacedEdit();
  };
  /**
   * One of our edits landed after the user reverted or closed the note: once things settle, the note goes
   * back to what the user chose. The active note is reverted again; a note whose tab is gone ("Don't Save")
   * gets the text on disk back and is saved (the same bytes), so no streamed text lingers in its model.
   */
  const undoRacedEdit = (): void => {
    setTimeout(() => {
      if (document.isClosed) return;
      if (document.isDirty && vscode.window.activeTextEditor?.document === document) {
        logger.info('Insertion: a streamed edit raced the revert of the note; reverting it again');
        void vscode.commands.executeCommand('workbench.action.files.revert');
      } else {
        // A closed tab ("Don't Save"), or a note marked clean whose text is not the file's: the text on disk
        // goes back into the model (nothing happens when they already agree).
        void restoreFromDisk(document);
      }
    }, REVERT_PAUSE_MS);
  };

  const sub = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.document !== document) return;
    if (e.document.isDirty) savedClean = false;
    if (e.contentChanges.length === 0) return;
    const only = e.contentChanges.length === 1 ? e.contentChanges[0] : undefined;
    const own =
      sending !== undefined &&
      only !== undefined &&
      only.rangeOffset === sending.start &&
      only.rangeLength === sending.end - sending.start &&
      only.text.replace(/\r\n/g, '\n') === sending.text;
    const before = ins.streamedRange;
    ins.onChanges(e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, text: c.text })));
    // A change event carries the dirty state from before it; a clean note that was not just saved and is not
    // being undone means a revert is under way (File: Revert, or "Don't Save" while closing: it marks the
    // note clean, then reloads it from disk).
    if (e.reason !== undefined || e.document.isDirty || savedClean) return;
    if (before.end > before.start) discard(own);
    // Nothing of ours shown yet (or a first keystroke in a clean note): just hold the next edit a moment.
    else if (!own) pausedUntil = Date.now() + REVERT_PAUSE_MS;
  });
  // After the note is closed no edit touches it again: the user's answer to the save prompt stands.
  const closeSub = onNoteClosed(document, () => {
    closed = true;
  });

  const flush = (): void => {
    timer = undefined;
    if (inFlight || closed || stopped) return;
    const wait = pausedUntil - Date.now();
    if (wait > 0) {
      timer = setTimeout(flush, wait);
      return;
    }
    const edit = ins.takeEdit();
    if (!edit) return;
    lastFlush = Date.now();
    const batchQueuedAt = queuedAt ?? performance.now();
    queuedAt = undefined;
    const sentAt = performance.now();
    inFlight = apply(edit).then((ok) => {
      if (!ok) ins.editFailed();
      // The note was reverted or closed while this edit was on its way, and it landed anyway.
      else if (closed) undoRacedEdit();
      options.onBatch?.({ queuedAt: batchQueuedAt, sentAt, doneAt: performance.now(), ok, chars: edit.text.length });
      inFlight = undefined;
      // More text may have arrived meanwhile: when its slot is already due, send it now rather than after
      // another trip through the event loop's timer queue.
      if (Date.now() - lastFlush < BATCH_MS) schedule();
      else {
        if (timer) clearTimeout(timer);
        flush();
      }
    });
  };
  const schedule = (): void => {
    if (timer || closed || stopped) return;
    timer = setTimeout(flush, Math.max(0, BATCH_MS - (Date.now() - lastFlush)));
  };
  /** Ends streamed batches: from here on only the final edits touch the document. */
  const settle = async (): Promise<void> => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (inFlight) await inFlight;
  };
  /** Applies an edit computed fresh on each try (positions move while the user types). */
  const applyFinal = async (make: () => TextEditOp | undefined): Promise<TextEditOp | undefined> => {
    for (let i = 0; i < MAX_RETRIES && !closed; i += 1) {
      while (pausedUntil > Date.now() && !closed) await new Promise((resolve) => setTimeout(resolve, pausedUntil - Date.now()));
      if (closed) break;
      const edit = make();
      if (!edit) return undefined;
      if (await apply(edit)) return edit;
      ins.editFailed();
      await tick();
    }
    if (!closed) logger.warn('Insertion: the document kept changing; the final edit was not applied');
    return undefined;
  };

  const finish = async (rawBody: string, incomplete: boolean): Promise<InsertedBlock | undefined> => {
    await settle();
    let body = rawBody;
    let finalSpec = spec;
    if (options.prepareFinal && !incomplete) {
      try {
        ({ body, spec: finalSpec } = options.prepareFinal(rawBody, spec));
      } catch (error) {
        logger.warn(`Final check of the block failed; inserting it unchecked: ${String(error)}`);
      }
    }
    await applyFinal(() => ins.removal());
    const applied = await applyFinal(() => ins.finalInsert(body, incomplete, finalSpec));
    if (!applied) return undefined;
    const start = applied.start + (target.replace ? 0 : target.prefix.length);
    const end = applied.start + applied.text.length;
    return { document, range: toRange(document, start, end), spec: finalSpec, sources: finalSpec.attributes.sources, body, incomplete };
  };

  try {
    let result: ActionResult;
    try {
      result = await options.generate((delta) => {
        ins.append(delta);
        queuedAt ??= performance.now();
        schedule();
      });
    } catch (error) {
      if (closed) throw error;
      const partial = ins.text;
      if (options.onCancel === 'keep' && partial.trim().length > 0) {
        await finish(partial, true);
      } else {
        await settle();
        await applyFinal(() => ins.removal());
      }
      if (!isCancellationError(error)) logger.warn(`Insertion stopped: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
    const body = options.finalBody ? options.finalBody(result) : result.text;
    const block = await finish(body, result.finishReason === 'length');
    if (!block) throw new vscode.CancellationError();
    insertedEmitter.fire(block);
    return { result, block };
  } finally {
    sub.dispose();
    saveSub.dispose();
    closeSub.dispose();
  }
}

/** Runs of one command on one document; a second run is refused with AlreadyRunning (ARCHITECTURE.md §8.5). */
export class RunningActions {
  private static readonly running = new Set<string>();

  static tryStart(commandId: string, uri: vscode.Uri): (() => void) | undefined {
    const key = `${commandId} ${uri.toString()}`;
    if (RunningActions.running.has(key)) return undefined;
    RunningActions.running.add(key);
    return () => RunningActions.running.delete(key);
  }
}
