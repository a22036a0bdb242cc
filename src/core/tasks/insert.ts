/**
 * The three ways a task's answer goes into a note: streamed into an editor as a block, planned as a block
 * edit without an editor (printed, or applied by the caller), or Explain Term's footnote. Each returns what
 * the outcome reports: the block as inserted, its body, the edit plan and the block's grounding.
 */
import type { ActionResult, TextSink } from '../actions/context';
import type { OnCancel } from '../config';
import { AssistantError } from '../errors';
import { groundBlock, type BlockGrounding, type GroundedBlock, type NoteGrounding } from '../grounding/noteGrounding';
import { renderBlock, type BlockSpec } from '../insertion/block';
import type { EditPlan, TextEditOp } from '../insertion/editPlan';
import { footnoteLabel, planFootnote } from '../insertion/footnote';
import { placementOffset, type NoteParse, type Placement } from '../insertion/placement';
import { StreamingInsertion, planTarget } from '../insertion/streaming';
import { streamIntoEditor, type BatchTiming } from '../insertion/streamInsertion';
import type { Clock } from '../ports/clock';
import type { NoteDocument, OffsetRange } from '../ports/document';
import type { DocumentEditor } from '../ports/documentEditor';
import type { Logger } from '../ports/logger';
import type { Source } from '../sources/types';

/** A task's answer, ready to go into the note. */
export interface Insertion {
  readonly note: NoteDocument;
  readonly spec: BlockSpec;
  readonly sources: readonly Source[];
  /** Where a new block goes, as it stands now (it follows the user's edits while the task prepares). */
  readonly placement: () => Placement;
  readonly generate: (sink: TextSink) => Promise<ActionResult>;
  /** Visible text for the host as it arrives. */
  readonly sink?: TextSink;
  readonly grounding: NoteGrounding;
  /** The assistant's note parser: placing the block reuses the parse made when the task was prepared. */
  readonly parse: NoteParse;
}

/** An answer placed in the note (the part of a task's outcome that insertion decides). */
export interface Placed {
  /** A block between markers, or Explain Term's footnote (a reference at the term and its definition). */
  readonly form: 'block' | 'footnote';
  /** The rendered block, markers included, as inserted (for a footnote: the footnote definition). */
  readonly block: string;
  /** The block's content without markers. */
  readonly body: string;
  readonly spec: BlockSpec;
  /** How the block goes into the note: applied already when an editor was given. */
  readonly edits: EditPlan;
  /** True when the edits were applied through the editor. */
  readonly applied: boolean;
  readonly grounding: BlockGrounding;
  readonly result: ActionResult;
}

const UNCHECKED: BlockGrounding = { checked: 0, supported: 0, items: [] };
const ignore: TextSink = () => undefined;

/** A sink that feeds two. */
function tee(a: TextSink, b: TextSink | undefined): TextSink {
  return b ? (delta) => (a(delta), b(delta)) : a;
}

export interface StreamSettings {
  readonly onCancel: OnCancel;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** The user reverted the note under the streamed text: the run is cancelled. */
  readonly onDiscarded: () => void;
  readonly onBatch?: (batch: BatchTiming) => void;
}

/** Streams the block into the editor; the header records the grounding in the same final edit. */
export async function streamBlock(ins: Insertion, editor: DocumentEditor, settings: StreamSettings): Promise<Placed> {
  let final: GroundedBlock | undefined;
  let fromCache = false;
  const version = editor.version;
  const { result, block } = await streamIntoEditor({
    editor,
    spec: ins.spec,
    anchorOffset: placementOffset(editor.getText(), ins.placement(), ins.parse),
    onCancel: settings.onCancel,
    logger: settings.logger,
    clock: settings.clock,
    // The source index for the grounding check is built while the model generates.
    generate: async (sink) => {
      const generated = await ins.grounding.whileGenerating(ins.sources, ins.generate, tee(sink, ins.sink), settings.signal);
      fromCache = generated.fromCache;
      return generated;
    },
    // An answer served again from the result cache gets the verdicts remembered from its first check: its sources
    // need not be indexed (in a new session that index would be built here, holding the host's event loop).
    prepareFinal: async (body, spec) => (final = await ins.grounding.groundAnswer(body, spec, ins.sources, fromCache)),
    onDiscarded: settings.onDiscarded,
    ...(settings.onBatch ? { onBatch: settings.onBatch } : {}),
  });
  return {
    form: 'block',
    block: editor.getText().slice(block.start, block.end),
    body: block.body,
    spec: block.spec,
    edits: { documentVersion: version, edits: [block.edit] },
    applied: true,
    grounding: final?.grounding ?? UNCHECKED,
    result,
  };
}

/** Generates, then plans the block's edit against the note as read (a re-run replaces its own block). */
export async function planBlock(ins: Insertion, signal: AbortSignal): Promise<Placed> {
  const text = ins.note.getText();
  const version = ins.note.version;
  // The sources' grounding index is built while the model generates, as for a streamed block, so that the check
  // after a fresh answer does not index a paper on the spot (the command line, a batch run). It stops once the
  // check is done (what it would still build, the q-grams, serves later checks, and this process may end now), and
  // at once for an answer from the result cache: its verdicts are remembered (groundAnswer).
  const prebuild = new AbortController();
  const stop = (): void => prebuild.abort();
  signal.addEventListener('abort', stop, { once: true });
  let result: ActionResult;
  let final: GroundedBlock | undefined;
  try {
    result = await ins.grounding.whileGenerating(ins.sources, ins.generate, ins.sink ?? ignore, prebuild.signal);
    if (result.fromCache) prebuild.abort();
    if (result.finishReason !== 'length') final = await ins.grounding.groundAnswer(result.text, ins.spec, ins.sources, result.fromCache);
  } finally {
    signal.removeEventListener('abort', stop);
    prebuild.abort();
  }
  const incomplete = result.finishReason === 'length';
  const body = final?.body ?? result.text;
  const spec = final?.spec ?? ins.spec;
  const target = planTarget(text, { kind: spec.kind, target: spec.attributes.target }, placementOffset(text, ins.placement(), ins.parse));
  const edit: TextEditOp = new StreamingInsertion(spec, target).finalInsert(body, incomplete, spec);
  const shown = incomplete ? { ...spec, attributes: { ...spec.attributes, incomplete: true } } : spec;
  return {
    form: 'block',
    block: renderBlock(shown, body),
    body,
    spec,
    edits: { documentVersion: version, edits: [edit] },
    applied: false,
    grounding: final?.grounding ?? UNCHECKED,
    result,
  };
}

/**
 * Explain Term's footnote: generated first, then a reference after the term (wherever the user's edits
 * moved it meanwhile) and the definition at the end of the note, applied as one undo step.
 */
export async function placeFootnote(
  ins: Insertion,
  footnote: { readonly term: string; readonly at: () => OffsetRange },
  editor: DocumentEditor | undefined,
  incompleteLabel: string,
): Promise<Placed> {
  const result = await ins.generate(ins.sink ?? ignore);
  const explanation = result.finishReason === 'length' ? `${result.text.trim()} ${incompleteLabel}` : result.text.trim();
  const text = editor?.getText() ?? ins.note.getText();
  const version = editor?.version ?? ins.note.version;
  const edits = planFootnote(text, footnote.at().end, footnoteLabel(footnote.term), explanation);
  if (editor && !(await editor.applyEdits(edits)))
    throw new AssistantError('Cancelled', 'The note changed while the footnote was inserted');
  return {
    form: 'footnote',
    block: edits.at(-1)?.text.trim() ?? explanation,
    body: explanation,
    spec: ins.spec,
    edits: { documentVersion: version, edits },
    applied: editor !== undefined,
    grounding: groundBlock(explanation, ins.spec, ins.sources, ins.grounding.indexes).grounding,
    result,
  };
}
