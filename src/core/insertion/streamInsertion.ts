/**
 * Streams a task's output into a document through the DocumentEditor port: batched edits anchored to a
 * range that follows the user's edits, then the end as two edits (remove the streamed text, insert the
 * final block as the last, separate edit) so one Undo removes exactly the insertion. A cancelled run
 * removes its text or keeps it marked incomplete. A revert or close by the user stops every edit of ours,
 * and an edit of ours that raced the revert is undone once things settle.
 */
import type { ActionResult, TextSink } from '../actions/context';
import { AssistantError, isCancellationError } from '../errors';
import type { Clock } from '../ports/clock';
import type { DocumentChange, DocumentEditor } from '../ports/documentEditor';
import type { Logger } from '../ports/logger';
import type { OnCancel } from '../config';
import type { BlockSpec } from './block';
import type { TextEditOp } from './editPlan';
import { StreamingInsertion, planTarget } from './streaming';

/** Streamed edits at most every 33 ms (no more than about 30 per second keeps the editor responsive). */
export const BATCH_MS = 33;
/** How often a final edit is retried when the user's typing keeps winning the race. */
const MAX_RETRIES = 50;
/**
 * How long streamed edits wait after a change that left the note clean and was not ours: a revert, as
 * "Don't Save" in the close prompt does just before the editor closes. An edit landing in between would
 * make the closing note dirty again (and prompt again). A false alarm only delays the stream this much.
 */
export const REVERT_PAUSE_MS = 500;
/** Pause between two tries of a final edit the user's typing beat. */
const RETRY_MS = 5;

/** A finished insertion: the block's place in the document and what it holds. */
export interface InsertedBlock {
  /** The block's range (markers included) right after insertion, as offsets. */
  readonly start: number;
  readonly end: number;
  readonly spec: BlockSpec;
  readonly body: string;
  readonly incomplete: boolean;
  /** The final edit, as applied (the new block's leading blank line included). */
  readonly edit: TextEditOp;
}

/** Clock stamps of one streamed batch. */
export interface BatchTiming {
  /** The first text of this batch reached the sink. */
  readonly queuedAt: number;
  /** The batch's edit was handed to the editor. */
  readonly sentAt: number;
  /** The edit resolved (the change event arrived just before). */
  readonly doneAt: number;
  readonly ok: boolean;
  readonly chars: number;
}

export interface StreamIntoEditorOptions {
  readonly editor: DocumentEditor;
  readonly spec: BlockSpec;
  /** Offset in the document whose line the block goes after (ignored when an own block is replaced). */
  readonly anchorOffset: number;
  readonly onCancel: OnCancel;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Runs the task, feeding visible text into the sink. */
  readonly generate: (sink: TextSink) => Promise<ActionResult>;
  /** Turns the final model text into the block body (e.g. a table rendered by code). Defaults to the text. */
  readonly finalBody?: (result: ActionResult) => string;
  /**
   * Last look at the final block before it is inserted (the grounding check records "figures" here), so the
   * header is part of the one insertion edit and a single Undo still removes everything.
   */
  readonly prepareFinal?: (
    body: string,
    spec: BlockSpec,
  ) => { readonly body: string; readonly spec: BlockSpec } | Promise<{ readonly body: string; readonly spec: BlockSpec }>;
  /** The user reverted the note, discarding the streamed text: no edit follows; the caller should cancel the run. */
  readonly onDiscarded?: () => void;
  /** Timing of every streamed batch (the bench decomposes the arrival → visible lag with it). */
  readonly onBatch?: (batch: BatchTiming) => void;
  /** Least time between two streamed edits; BATCH_MS unless the bench compares intervals. */
  readonly batchMs?: number;
}

export async function streamIntoEditor(options: StreamIntoEditorOptions): Promise<{ result: ActionResult; block: InsertedBlock }> {
  const { editor, spec, logger, clock } = options;
  const batchMs = options.batchMs ?? BATCH_MS;
  const target = planTarget(editor.getText(), { kind: spec.kind, target: spec.attributes.target }, options.anchorOffset);
  const ins = new StreamingInsertion(spec, target);
  let inFlight: Promise<void> | undefined;
  let lastFlush = -Infinity;
  let timer: unknown;
  let closed = false;
  /** When the oldest text not yet handed to the editor arrived. */
  let queuedAt: number | undefined;
  /** Set once the end began: no batch may land between the removal and the final insert. */
  let stopped = false;
  /** The edit of ours awaiting its round trip, to tell its change event from others. */
  let sending: TextEditOp | undefined;
  /** No edit before this time (clock.now()); see REVERT_PAUSE_MS. */
  let pausedUntil = -Infinity;
  const apply = async (edit: TextEditOp): Promise<boolean> => {
    sending = edit;
    try {
      return await editor.applyEdits([edit]);
    } catch {
      // The user's edit arrived first, or the editor closed meanwhile.
      return false;
    } finally {
      sending = undefined;
    }
  };

  /** The user saved: the note is rightly clean until a change makes it dirty again. */
  let savedClean = false;
  const saveSub = editor.onDidSave(() => {
    savedClean = true;
  });
  /**
   * One of our edits landed after the user reverted or closed the note: once things settle, the note goes
   * back to what the user chose. The active note is reverted again; otherwise (a closed tab after "Don't
   * Save", or a note marked clean whose text is not the file's) the text on disk goes back into it.
   */
  const undoRacedEdit = (): void => {
    clock.setTimeout(() => {
      void (async () => {
        if (editor.isClosed) return;
        if (editor.isDirty && editor.revertAgain && (await editor.revertAgain())) {
          logger.info('Insertion: a streamed edit raced the revert of the note; reverting it again');
          return;
        }
        await editor.restoreFromDisk?.();
      })().catch((error: unknown) => logger.warn(`Insertion: restoring the reverted note failed: ${String(error)}`));
    }, REVERT_PAUSE_MS);
  };
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
    // looking like ours. The check finds nothing to do after a clean revert.
    if (spoiled || inFlight) undoRacedEdit();
  };

  const onChange = (e: DocumentChange): void => {
    if (e.dirty) savedClean = false;
    if (e.changes.length === 0) return;
    const only = e.changes.length === 1 ? e.changes[0] : undefined;
    const own =
      sending !== undefined &&
      only !== undefined &&
      only.offset === sending.start &&
      only.length === sending.end - sending.start &&
      only.text.replace(/\r\n/g, '\n') === sending.text;
    const before = ins.streamedRange;
    ins.onChanges(e.changes);
    // A clean note that was not just saved and is not being undone means a revert is under way (File:
    // Revert, or "Don't Save" while closing: it marks the note clean, then reloads it from disk).
    if (e.reason !== undefined || e.dirty || savedClean) return;
    if (before.end > before.start) discard(own);
    // Nothing of ours shown yet (or a first keystroke in a clean note): just hold the next edit a moment.
    else if (!own) pausedUntil = clock.now() + REVERT_PAUSE_MS;
  };
  const changeSub = editor.onDidChange(onChange);
  // After the note is closed no edit touches it again: the user's answer to the save prompt stands.
  const closeSub = editor.onDidClose(() => {
    closed = true;
  });

  const cancelTimer = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
  const flush = (): void => {
    timer = undefined;
    if (inFlight || closed || stopped) return;
    const wait = pausedUntil - clock.now();
    if (wait > 0) {
      timer = clock.setTimeout(flush, wait);
      return;
    }
    const edit = ins.takeEdit();
    if (!edit) return;
    lastFlush = clock.now();
    const batchQueuedAt = queuedAt ?? clock.now();
    queuedAt = undefined;
    const sentAt = clock.now();
    inFlight = apply(edit).then((ok) => {
      if (!ok) ins.editFailed();
      // The note was reverted or closed while this edit was on its way, and it landed anyway.
      else if (closed) undoRacedEdit();
      options.onBatch?.({ queuedAt: batchQueuedAt, sentAt, doneAt: clock.now(), ok, chars: edit.text.length });
      inFlight = undefined;
      // More text may have arrived meanwhile: when its slot is already due, send it now rather than after
      // another trip through the timer queue.
      if (clock.now() - lastFlush < batchMs) schedule();
      else {
        cancelTimer();
        flush();
      }
    });
  };
  const schedule = (): void => {
    if (timer !== undefined || closed || stopped) return;
    timer = clock.setTimeout(flush, Math.max(0, batchMs - (clock.now() - lastFlush)));
  };
  /** Ends streamed batches: from here on only the final edits touch the document. */
  const settle = async (): Promise<void> => {
    stopped = true;
    cancelTimer();
    while (inFlight) await inFlight;
  };
  const wait = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));
  /** Applies an edit computed fresh on each try (positions move while the user types). */
  const applyFinal = async (make: () => TextEditOp | undefined): Promise<TextEditOp | undefined> => {
    for (let i = 0; i < MAX_RETRIES && !closed; i += 1) {
      while (pausedUntil > clock.now() && !closed) await wait(pausedUntil - clock.now());
      if (closed) break;
      const edit = make();
      if (!edit) return undefined;
      if (await apply(edit)) return edit;
      ins.editFailed();
      await wait(RETRY_MS);
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
        ({ body, spec: finalSpec } = await options.prepareFinal(rawBody, spec));
      } catch (error) {
        logger.warn(`Final check of the block failed; inserting it unchecked: ${String(error)}`);
      }
    }
    await applyFinal(() => ins.removal());
    const applied = await applyFinal(() => ins.finalInsert(body, incomplete, finalSpec));
    if (!applied) return undefined;
    const start = applied.start + (target.replace ? 0 : target.prefix.length);
    const end = applied.start + applied.text.length;
    return { start, end, spec: finalSpec, body, incomplete, edit: applied };
  };

  try {
    let result: ActionResult;
    try {
      result = await options.generate((delta) => {
        ins.append(delta);
        queuedAt ??= clock.now();
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
    if (!block) throw new AssistantError('Cancelled', 'The block was not inserted: the note was closed or reverted');
    return { result, block };
  } finally {
    cancelTimer();
    changeSub.dispose();
    saveSub.dispose();
    closeSub.dispose();
  }
}
