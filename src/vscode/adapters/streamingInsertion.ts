import * as vscode from 'vscode';
import { StreamingInsertion, isCancellationError, planTarget, type ActionResult, type BlockSpec, type InsertionTarget, type Logger, type OnCancel, type TextEditOp, type TextSink } from '../../core';

/** Streamed edits at most every 33 ms (≤ ~30 per second, PRODUCT.md §6). */
const BATCH_MS = 33;
/** How often a final edit is retried when the user's typing keeps winning the race. */
const MAX_RETRIES = 50;

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

/** One WorkspaceEdit = one undo step; false when the document changed since our view of it (version check). */
async function applyOne(document: vscode.TextDocument, edit: TextEditOp): Promise<boolean> {
  const we = new vscode.WorkspaceEdit();
  we.replace(document.uri, toRange(document, edit.start, edit.end), edit.text);
  try {
    return await vscode.workspace.applyEdit(we);
  } catch {
    // "… has changed in the meantime": the user's edit arrived first.
    return false;
  }
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
  let inFlight: Promise<void> | undefined;
  let lastFlush = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const sub = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.document !== document || e.contentChanges.length === 0) return;
    ins.onChanges(e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, text: c.text })));
  });
  const closeSub = vscode.workspace.onDidCloseTextDocument((d) => {
    if (d === document) closed = true;
  });

  const flush = (): void => {
    timer = undefined;
    if (inFlight || closed) return;
    const edit = ins.takeEdit();
    if (!edit) return;
    lastFlush = Date.now();
    inFlight = applyOne(document, edit).then((ok) => {
      if (!ok) ins.editFailed();
      inFlight = undefined;
      // More text may have arrived meanwhile.
      schedule();
    });
  };
  const schedule = (): void => {
    if (timer || closed) return;
    timer = setTimeout(flush, Math.max(0, BATCH_MS - (Date.now() - lastFlush)));
  };
  const settle = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (inFlight) await inFlight;
  };
  /** Applies an edit computed fresh on each try (positions move while the user types). */
  const applyFinal = async (make: () => TextEditOp | undefined): Promise<TextEditOp | undefined> => {
    for (let i = 0; i < MAX_RETRIES && !closed; i += 1) {
      const edit = make();
      if (!edit) return undefined;
      if (await applyOne(document, edit)) return edit;
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
