/**
 * The grounding policy of an assistant: which sources a block is checked against (the ids in its marker,
 * or the sources it was just generated from), the note itself as a source with every block blanked out,
 * which blocks get their `figures` header written, and the index of the sources built while the model
 * generates. Hosts render the result (diagnostics, a report) and apply its edits.
 */
import type { TextSink } from '../actions/context';
import { styleBody, type BlockSpec } from '../insertion/block';
import { applyEdits } from '../insertion/editPlan';
import type { Clock } from '../ports/clock';
import type { NoteDocument } from '../ports/document';
import type { Logger } from '../ports/logger';
import type { SourceReader } from '../sources/reader';
import type { Source } from '../sources/types';
import { basename } from '../sources/uri';
import { checkBlock, checkNoteBlock, findResearchBlocks, type NoteBlockCheck, type ResearchBlock, type TextEdit } from './blocks';
import type { GroundingItem } from './check';
import { GroundingIndexCache, type GroundingIndex } from './sourceIndex';
import type { GroundingMemo } from './groundingMemo';

/**
 * When a task has streamed nothing yet this long after it started generating (a map step streams
 * nothing), the source index is built anyway: the request went out long before.
 */
const PREBUILD_DELAY_MS = 250;

/** Source ids for the block header: the workspace-relative files the answer came from. */
export function sourceIds(sources: readonly Source[]): string[] {
  return [...new Set(sources.filter((s) => s.status === 'ok').map((s) => s.id))];
}

/** The grounding of one generated block, as its header records it. */
export interface BlockGrounding {
  readonly checked: number;
  readonly supported: number;
  /** Offsets in the block's content between the markers. */
  readonly items: readonly GroundingItem[];
}

/**
 * Records "figures checked" in the header (and ⚠ marks in table cells) before the block is inserted, as
 * the grounding checker computes them for the block's content between the markers.
 */
export function groundBlock(
  body: string,
  spec: BlockSpec,
  sources: readonly Source[],
  indexes: GroundingIndexCache = new GroundingIndexCache(),
): GroundedBlock {
  const { trimmed, content } = blockContent(body, spec);
  const r = checkBlock(content, indexes.build(sources.filter((s) => s.status === 'ok')), spec.kind);
  // Cell marks are offsets in the content; only the plain style (tables) maps them back to the body 1:1.
  const marked = r.edits.length > 0 && content === `\n${trimmed}\n` ? applyEdits(content, r.edits).slice(1, -1) : trimmed;
  return grounded(marked, spec, r);
}

/** A block with its grounding: the body (⚠ in table cells), the header's `figures`, the verdicts. */
export interface GroundedBlock {
  readonly body: string;
  readonly spec: BlockSpec;
  readonly grounding: BlockGrounding;
}

/** The text the checker reads: the body as the block shows it (callout lines, quote marks), between newlines. */
function blockContent(body: string, spec: BlockSpec): { trimmed: string; content: string } {
  const trimmed = body.replace(/\s+$/, '');
  return { trimmed, content: `\n${styleBody(spec, trimmed)}\n` };
}

function grounded(body: string, spec: BlockSpec, r: BlockGrounding): GroundedBlock {
  return {
    body,
    spec: { ...spec, attributes: { ...spec.attributes, figures: `${r.supported}/${r.checked}` } },
    grounding: { checked: r.checked, supported: r.supported, items: r.items },
  };
}

export interface NoteCheckOptions {
  /** Check (and refresh the sources of) only the block containing this offset. */
  readonly at?: number;
  /** Read the block's sources again instead of using the remembered ones. */
  readonly refreshSources?: boolean;
  readonly signal: AbortSignal;
}

/** One block's check. */
export interface CheckedBlock {
  readonly block: ResearchBlock;
  readonly check: NoteBlockCheck;
  /** Sources named in the marker that could not be read (their status detail, or the id). */
  readonly missing: readonly string[];
  /** The block was asked for (all blocks without `at`). */
  readonly targeted: boolean;
}

export interface GroundingReport {
  readonly blocks: ReadonlyArray<{
    readonly kind: string;
    readonly checked: number;
    readonly supported: number;
    readonly header: string;
    readonly missingSources: readonly string[];
  }>;
  readonly unsupported: number;
}

export interface NoteCheck {
  /** The note's version the check read; its offsets and edits refer to that text. */
  readonly version: number;
  /** Every block of the note (diagnostics cover them all), the targeted ones marked. */
  readonly blocks: readonly CheckedBlock[];
  /**
   * Edits that record the result in the note, one undo step: the `figures` header of targeted blocks and
   * the ⚠ marks of table cells. Without `at` or a refresh (the check after an insertion) only blocks never
   * checked get a header, so undoing one does not bring it back.
   */
  readonly edits: readonly TextEdit[];
  readonly report: GroundingReport;
}

interface CachedSources {
  readonly files: readonly Source[];
  readonly includesNote: boolean;
  readonly missing: readonly string[];
  /** Index of `files` alone (blocks whose sources do not include the note itself). */
  index?: GroundingIndex;
}

function withoutAnchor(id: string): string {
  const hash = id.indexOf('#');
  return hash < 0 ? id : id.slice(0, hash);
}

function superseded(reason: string): DOMException {
  return new DOMException(reason, 'AbortError');
}

export class NoteGrounding {
  /** Sources per note and per `sources` attribute, so re-checking while the user types never reads a PDF again. */
  private readonly cache = new Map<string, Map<string, CachedSources>>();
  /** The text indexes of the sources (built while the model generates, reused by every check). */
  readonly indexes = new GroundingIndexCache();

  constructor(
    private readonly sources: SourceReader,
    private readonly logger: Logger,
    private readonly clock: Clock,
    /** Where verdicts are remembered for answers served again from the result cache. */
    private readonly memo?: GroundingMemo,
  ) {}

  /**
   * {@link groundBlock} for a generated answer. An answer from the result cache, on sources with the same text,
   * gets the verdicts remembered from its first check without its sources being indexed; any other is checked
   * and its verdicts remembered.
   */
  async groundAnswer(body: string, spec: BlockSpec, sources: readonly Source[], fromCache: boolean): Promise<GroundedBlock> {
    if (!this.memo) return groundBlock(body, spec, sources, this.indexes);
    const key = await this.memo.key(
      blockContent(body, spec).content,
      spec.kind,
      sources.filter((s) => s.status === 'ok'),
    );
    const known = fromCache ? await this.memo.get(key) : undefined;
    if (known) return grounded(known.body, spec, known);
    const block = groundBlock(body, spec, sources, this.indexes);
    await this.memo.set(key, { body: block.body, ...block.grounding });
    return block;
  }

  /** Forgets a closed note's sources. */
  forget(noteUri: string): void {
    this.cache.delete(noteUri);
  }

  /** Forgets every note's sources and the text indexes. */
  clear(): void {
    this.cache.clear();
    this.indexes.clear();
  }

  /** Remembers a task's sources under the `sources` attribute its block carries. */
  remember(noteUri: string, sources: readonly Source[]): void {
    const ids = sourceIds(sources);
    if (ids.length === 0) return;
    const ok = sources.filter((s) => s.status === 'ok');
    const isNote = (s: Source): boolean => s.kind === 'note' || s.kind === 'selection';
    this.perNote(noteUri).set(ids.join('; '), { files: ok.filter((s) => !isNote(s)), includesNote: ok.some(isNote), missing: [] });
  }

  /**
   * Runs a task's `generate` and builds the grounding index of its sources meanwhile, so the check that
   * follows the generated block finds it built. The build starts once the request is out: at the first
   * streamed delta, or PREBUILD_DELAY_MS after the start, whichever comes first; never before, so it adds
   * nothing to the time to the first request byte. It runs one source per event-loop task and continues
   * after generation ends (unless the task is cancelled).
   */
  async whileGenerating<T>(
    sources: readonly Source[],
    generate: (sink: TextSink) => Promise<T>,
    sink: TextSink,
    signal: AbortSignal,
  ): Promise<T> {
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      this.clock.clearTimeout(timer);
      const t0 = this.clock.now();
      this.indexes.prepare(sources, { signal }).then(
        () =>
          this.logger.debug(
            `grounding: index of ${sources.length} source(s) ready ${(this.clock.now() - t0).toFixed(0)} ms after the first delta`,
          ),
        (error: unknown) => this.logger.warn(`grounding: building the index ahead of the check failed: ${String(error)}`),
      );
    };
    const timer = this.clock.setTimeout(start, PREBUILD_DELAY_MS);
    try {
      return await generate((delta) => {
        start();
        sink(delta);
      });
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  /** Checks the note's blocks (or the one at `at`). Throws an AbortError when the note changes meanwhile. */
  async check(note: NoteDocument, options: NoteCheckOptions): Promise<NoteCheck> {
    const started = this.clock.now();
    const version = note.version;
    const text = note.getText();
    const blocks = findResearchBlocks(text);
    const at = options.at;
    const targeted = at === undefined ? blocks : blocks.filter((b) => at >= b.block.start && at <= b.block.end);
    const results: CheckedBlock[] = [];
    // Time spent building (or finding) source indexes: near 0 when they were built while the model generated.
    let indexMs = 0;
    for (const rb of blocks) {
      const isTarget = targeted.includes(rb);
      const resolved = await this.sourcesFor(note, rb, options.refreshSources === true && isTarget, options.signal);
      if (options.signal.aborted) throw superseded('superseded');
      let index: GroundingIndex;
      if (resolved.includesNote) index = this.indexes.build([...resolved.files, this.noteSource(note, text, blocks)]);
      else index = resolved.index ??= this.indexes.build(resolved.files);
      indexMs += index.buildMs;
      results.push({ block: rb, check: checkNoteBlock(text, rb, index), missing: resolved.missing, targeted: isTarget });
    }
    if (note.version !== version) throw superseded('document changed');
    const wanted = results.filter((r) => r.targeted);
    const report: GroundingReport = {
      blocks: wanted.map((r) => ({
        kind: r.block.block.kind,
        checked: r.check.checked,
        supported: r.check.supported,
        header: r.check.header,
        missingSources: r.missing,
      })),
      unsupported: wanted.reduce((n, r) => n + r.check.checked - r.check.supported, 0),
    };
    this.logger.info(
      `grounding: ${note.uri}: ${results.map((r) => `${r.block.block.kind} ${r.check.header}`).join(', ') || 'no blocks'} ` +
        `in ${(this.clock.now() - started).toFixed(1)} ms (source index ${indexMs.toFixed(1)} ms)`,
    );
    const edits: TextEdit[] = [];
    for (const r of wanted) {
      if (r.check.headerEdit && (at !== undefined || options.refreshSources || r.block.block.attributes.figures === undefined))
        edits.push(r.check.headerEdit);
      edits.push(...r.check.edits);
    }
    return { version, blocks: results, edits, report };
  }

  private perNote(noteUri: string): Map<string, CachedSources> {
    let perNote = this.cache.get(noteUri);
    if (!perNote) {
      perNote = new Map();
      this.cache.set(noteUri, perNote);
    }
    return perNote;
  }

  /** The note as a source (for summaries of the note itself), with every research block blanked out so a block never supports itself. */
  private noteSource(note: NoteDocument, text: string, blocks: readonly ResearchBlock[]): Source {
    let masked = text;
    for (const b of blocks)
      masked =
        masked.slice(0, b.block.start) + masked.slice(b.block.start, b.block.end).replace(/[^\n]/gu, ' ') + masked.slice(b.block.end);
    return {
      id: note.uri,
      uri: note.uri,
      title: basename(note.uri),
      kind: 'note',
      status: 'ok',
      text: masked,
      sections: [],
      tokenEstimate: 0,
    };
  }

  private async sourcesFor(note: NoteDocument, rb: ResearchBlock, refresh: boolean, signal: AbortSignal): Promise<CachedSources> {
    const ids = rb.block.attributes.sources;
    const key = ids.join('; ');
    const perNote = this.perNote(note.uri);
    const cached = perNote.get(key);
    if (cached && !refresh) return cached;
    const collected = await this.sources.collect(note, { links: 'all', signal });
    const noteId = withoutAnchor(collected.note.id);
    const files: Source[] = [];
    const missing: string[] = [];
    let includesNote = ids.length === 0;
    for (const id of ids) {
      if (withoutAnchor(id) === noteId) {
        includesNote = true;
        continue;
      }
      const source = collected.sources.find((s) => s.id === id) ?? collected.sources.find((s) => withoutAnchor(s.id) === withoutAnchor(id));
      if (source && source.status === 'ok') files.push(source);
      else missing.push(source?.statusDetail ?? id);
    }
    // A block without a sources attribute is checked against everything the note links to.
    if (ids.length === 0) files.push(...collected.sources.filter((s) => s.status === 'ok'));
    const entry: CachedSources = { files, includesNote, missing };
    perNote.set(key, entry);
    return entry;
  }
}
