import * as vscode from 'vscode';
import { isCancellationError, type Logger, type TextSink } from '../../core';
import {
  buildGroundingIndex,
  checkNoteBlock,
  findResearchBlocks,
  prepareGroundingIndex,
  type GroundingIndex,
  type GroundingItem,
  type NoteBlockCheck,
  type ResearchBlock,
  type SourceMatch,
  type TextEdit,
} from '../../core/grounding';
import type { SourceReader } from '../../core/sources/reader';
import type { Source } from '../../core/sources/types';
import { sourceIds, toNoteDocument } from './actionRunner';

/** Diagnostics source and collection name: what the Problems panel shows next to each warning. */
export const GROUNDING_SOURCE = 'Research';
/** Internal (not in the palette) command behind the "Open nearest match" quick fix. */
export const OPEN_MATCH_COMMAND = '_researchAssistant.openGroundingMatch';
/** Re-check this long after the last keystroke in a block: long enough to skip streaming bursts and typing. */
const DEBOUNCE_MS = 400;
/**
 * When an action has streamed nothing yet this long after it started generating (a map step streams
 * nothing), the source index is built anyway: the request went out long before (first byte ≤ 50 ms).
 */
const PREBUILD_DELAY_MS = 250;

interface MatchTarget extends SourceMatch {
  readonly sourceKind: Source['kind'];
}

export interface GroundingCheckOptions {
  /** Check (and refresh the sources of) only the block containing this offset. */
  readonly at?: number;
  /** Read the block's sources again instead of using the cached index (Research: Check Grounding). */
  readonly refreshSources?: boolean;
  /** Write the `figures` attribute and the ⚠ marks of table cells (one undo step). */
  readonly writeEdits?: boolean;
  /** A re-check after typing: yields to an explicit check instead of interrupting it. */
  readonly background?: boolean;
  readonly signal: AbortSignal;
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

/**
 * Warning diagnostics for unsupported figures and quotes of research blocks (issue #6), kept up to
 * date while the note changes, with a quick fix that opens the nearest match in the source.
 * The sources of a block are the ids in its marker, resolved through the issue-#4 source reader and
 * cached per note, so re-checking while typing never reads a PDF again.
 */
export class GroundingDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  private readonly collection = vscode.languages.createDiagnosticCollection(GROUNDING_SOURCE);
  private readonly targets = new WeakMap<vscode.Diagnostic, MatchTarget>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly running = new Map<string, { readonly controller: AbortController; readonly explicit: boolean }>();
  private readonly cache = new Map<string, Map<string, CachedSources>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: { readonly logger: Logger; readonly sources: SourceReader }) {
    this.disposables.push(
      this.collection,
      vscode.languages.registerCodeActionsProvider({ language: 'markdown' }, this, {
        providedCodeActionKinds: GroundingDiagnostics.providedCodeActionKinds,
      }),
      vscode.commands.registerCommand(OPEN_MATCH_COMMAND, (target: MatchTarget) => this.openMatch(target)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e.document)),
      vscode.workspace.onDidOpenTextDocument((d) => this.onChange(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
    );
    for (const d of vscode.workspace.textDocuments) this.onChange(d);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const r of this.running.values()) r.controller.abort();
    for (const d of this.disposables) d.dispose();
  }

  /** The diagnostics currently shown for a note (integration tests read them here too). */
  diagnosticsFor(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  /**
   * Runs an action's `generate` and builds the grounding index of its sources meanwhile, so the check
   * that follows the generated block (and every later one) finds it built. The build starts once the
   * request is out: at the first streamed delta, or PREBUILD_DELAY_MS after the start, whichever comes
   * first; never before, so it adds nothing to the time to the first request byte. It runs one source
   * per event-loop task and continues after generation ends (unless the action is cancelled); what is
   * not built yet when the block is final is built then, by the check itself.
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
      clearTimeout(timer);
      const t0 = performance.now();
      prepareGroundingIndex(sources, { signal }).then(
        () =>
          this.deps.logger.debug(
            `grounding: index of ${sources.length} source(s) ready ${(performance.now() - t0).toFixed(0)} ms after the first delta`,
          ),
        (error: unknown) => this.deps.logger.warn(`grounding: building the index ahead of the check failed: ${String(error)}`),
      );
    };
    const timer = setTimeout(start, PREBUILD_DELAY_MS);
    try {
      return await generate((delta) => {
        start();
        sink(delta);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * After an action inserted a block: check the note and record "figures" in blocks that do not
   * have it yet. Called by the action runner once streaming has finished, with the sources the block
   * was generated from: the check uses them (and their index, built while generating) instead of
   * reading the sources again.
   */
  async afterInsertion(document: vscode.TextDocument, sources?: readonly Source[]): Promise<void> {
    if (sources) this.remember(document, sources);
    const controller = new AbortController();
    try {
      await this.check(document, { writeEdits: true, signal: controller.signal });
    } catch (error) {
      if (!isCancellationError(error)) this.deps.logger.warn(`grounding: check after insertion failed: ${String(error)}`);
    }
  }

  private onChange(document: vscode.TextDocument): void {
    if (document.languageId !== 'markdown' || document.uri.scheme === 'output') return;
    const key = document.uri.toString();
    // Only notes with blocks (or with diagnostics to clear, once the last block is gone).
    if (!document.getText().includes('<!-- research:') && !this.collection.has(document.uri)) return;
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        // Never interrupt a Check Grounding run (it may be reading PDFs): try again after it.
        if (this.running.get(key)?.explicit) {
          this.onChange(document);
          return;
        }
        const controller = new AbortController();
        void this.check(document, { signal: controller.signal, background: true }).catch((error: unknown) => {
          if (!isCancellationError(error))
            this.deps.logger.warn(`grounding: background check of ${document.uri.fsPath} failed: ${String(error)}`);
        });
      }, DEBOUNCE_MS),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.collection.delete(uri);
    this.cache.delete(key);
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.running.get(key)?.controller.abort();
  }

  /** Checks the note's blocks (or the one at `at`), sets its diagnostics, optionally writes the header and ⚠ edits. */
  async check(document: vscode.TextDocument, options: GroundingCheckOptions): Promise<GroundingReport> {
    const key = document.uri.toString();
    // A newer check of the same note supersedes a running one.
    this.running.get(key)?.controller.abort();
    const controller = new AbortController();
    const entry = { controller, explicit: options.background !== true };
    this.running.set(key, entry);
    const abort = (): void => controller.abort();
    options.signal.addEventListener('abort', abort, { once: true });
    try {
      const started = performance.now();
      const version = document.version;
      const text = document.getText();
      const blocks = findResearchBlocks(text);
      const targeted = options.at === undefined ? blocks : blocks.filter((b) => options.at! >= b.block.start && options.at! <= b.block.end);
      const results: Array<{ rb: ResearchBlock; check: NoteBlockCheck; missing: readonly string[] }> = [];
      // Time spent building (or finding) source indexes: near 0 when they were built while the model generated.
      let indexMs = 0;
      for (const rb of blocks) {
        const refresh = options.refreshSources === true && targeted.includes(rb);
        const resolved = await this.sourcesFor(document, rb, refresh, controller.signal);
        if (controller.signal.aborted) throw new DOMException('superseded', 'AbortError');
        let index: GroundingIndex;
        if (resolved.includesNote) index = buildGroundingIndex([...resolved.files, this.noteSource(document, text, blocks)]);
        else index = resolved.index ??= buildGroundingIndex(resolved.files);
        indexMs += index.buildMs;
        results.push({ rb, check: checkNoteBlock(text, rb, index), missing: resolved.missing });
      }
      if (document.version !== version) throw new DOMException('document changed', 'AbortError');
      this.collection.set(
        document.uri,
        results.flatMap((r) => this.diagnostics(document, r.rb, r.check, r.missing)),
      );
      const report: GroundingReport = {
        blocks: results
          .filter((r) => targeted.includes(r.rb))
          .map((r) => ({
            kind: r.rb.block.kind,
            checked: r.check.checked,
            supported: r.check.supported,
            header: r.check.header,
            missingSources: r.missing,
          })),
        unsupported: results.filter((r) => targeted.includes(r.rb)).reduce((n, r) => n + r.check.checked - r.check.supported, 0),
      };
      this.deps.logger.info(
        `grounding: ${document.uri.fsPath}: ${results.map((r) => `${r.rb.block.kind} ${r.check.header}`).join(', ') || 'no blocks'} in ${(performance.now() - started).toFixed(1)} ms (source index ${indexMs.toFixed(1)} ms)`,
      );
      if (options.writeEdits) {
        const edits: TextEdit[] = [];
        for (const r of results) {
          if (!targeted.includes(r.rb)) continue;
          // After an insertion (no `at`), only blocks never checked get a header: undoing it must not bring it back.
          if (r.check.headerEdit && (options.at !== undefined || options.refreshSources || r.rb.block.attributes.figures === undefined))
            edits.push(r.check.headerEdit);
          edits.push(...r.check.edits);
        }
        if (edits.length > 0) await this.apply(document, version, edits);
      }
      return report;
    } finally {
      options.signal.removeEventListener('abort', abort);
      if (this.running.get(key) === entry) this.running.delete(key);
    }
  }

  private async apply(document: vscode.TextDocument, version: number, edits: readonly TextEdit[]): Promise<void> {
    if (document.version !== version) return;
    const we = new vscode.WorkspaceEdit();
    for (const e of edits) we.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.text);
    await vscode.workspace.applyEdit(we);
  }

  /** The note as a source (for summaries of the note itself), with every research block blanked out so a block never supports itself. */
  private noteSource(document: vscode.TextDocument, text: string, blocks: readonly ResearchBlock[]): Source {
    let masked = text;
    for (const b of blocks)
      masked =
        masked.slice(0, b.block.start) + masked.slice(b.block.start, b.block.end).replace(/[^\n]/gu, ' ') + masked.slice(b.block.end);
    const name = document.uri.path.split('/').pop() ?? document.uri.path;
    return {
      id: document.uri.toString(),
      uri: document.uri.toString(),
      title: name,
      kind: 'note',
      status: 'ok',
      text: masked,
      sections: [],
      tokenEstimate: 0,
    };
  }

  /** Caches an action's sources under the `sources` attribute its block carries (see runInsertion). */
  private remember(document: vscode.TextDocument, sources: readonly Source[]): void {
    const ids = sourceIds(sources);
    if (ids.length === 0) return;
    const ok = sources.filter((s) => s.status === 'ok');
    const isNote = (s: Source): boolean => s.kind === 'note' || s.kind === 'selection';
    let perNote = this.cache.get(document.uri.toString());
    if (!perNote) {
      perNote = new Map();
      this.cache.set(document.uri.toString(), perNote);
    }
    perNote.set(ids.join('; '), { files: ok.filter((s) => !isNote(s)), includesNote: ok.some(isNote), missing: [] });
  }

  private async sourcesFor(
    document: vscode.TextDocument,
    rb: ResearchBlock,
    refresh: boolean,
    signal: AbortSignal,
  ): Promise<CachedSources> {
    const ids = rb.block.attributes.sources;
    const key = ids.join('; ');
    let perNote = this.cache.get(document.uri.toString());
    if (!perNote) {
      perNote = new Map();
      this.cache.set(document.uri.toString(), perNote);
    }
    const cached = perNote.get(key);
    if (cached && !refresh) return cached;
    const collected = await this.deps.sources.collect(toNoteDocument(document), { links: 'all', signal });
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

  private kindLabel(kind: string): string {
    switch (kind) {
      case 'summary':
        return vscode.l10n.t('summary');
      case 'comparison':
        return vscode.l10n.t('table');
      case 'explanation':
        return vscode.l10n.t('explanation');
      case 'answer':
        return vscode.l10n.t('answer');
      case 'draft':
        return vscode.l10n.t('draft');
      default:
        return vscode.l10n.t('block');
    }
  }

  private message(item: GroundingItem, blockKind: string): string {
    const where = this.kindLabel(blockKind);
    const near = item.nearest;
    const nearName = near ? `${near.sourceTitle}${near.page !== undefined ? `, p. ${near.page}` : ''}` : '';
    if (item.kind === 'quote') {
      switch (item.reason) {
        case 'lowSimilarity':
          return vscode.l10n.t(
            'Quote not found in the sources of this {0}; the closest passage ({1}) is {2}% similar',
            where,
            nearName,
            Math.round((near?.similarity ?? 0) * 100),
          );
        case 'numberDiffers':
          return vscode.l10n.t('Quote differs from the passage in {0} in a number', nearName);
        case 'negationDiffers':
          return vscode.l10n.t('Quote differs from the passage in {0} in a negation', nearName);
        default:
          return vscode.l10n.t('Quote not found in the sources of this {0}', where);
      }
    }
    if (item.kind === 'cell') {
      const missing = (item as { missingInQuote?: readonly string[] }).missingInQuote;
      if (missing && missing.length > 0) return vscode.l10n.t('{0} is not in the supporting quote of this cell', missing.join(', '));
      if (item.reason === 'otherSource')
        return vscode.l10n.t('The supporting quote of this cell is from {0}, not from the paper of this row', nearName);
      return vscode.l10n.t('The supporting quote of this cell is not in the sources of this {0}', where);
    }
    return near
      ? vscode.l10n.t('{0} not found in the sources of this {1} (nearest: {2} in {3})', item.text, where, near.matched.trim(), nearName)
      : vscode.l10n.t('{0} not found in the sources of this {1}', item.text, where);
  }

  private diagnostics(
    document: vscode.TextDocument,
    rb: ResearchBlock,
    check: NoteBlockCheck,
    missing: readonly string[],
  ): vscode.Diagnostic[] {
    const out: vscode.Diagnostic[] = [];
    const range = (s: number, e: number): vscode.Range => new vscode.Range(document.positionAt(s), document.positionAt(e));
    if (missing.length > 0) {
      const markerEnd = document.getText().indexOf('-->', rb.block.start) + 3;
      const d = new vscode.Diagnostic(
        range(rb.block.start, markerEnd),
        vscode.l10n.t(
          'Some sources of this block could not be read, so its figures were not checked against them: {0}',
          missing.join('; '),
        ),
        vscode.DiagnosticSeverity.Information,
      );
      d.source = GROUNDING_SOURCE;
      out.push(d);
    }
    for (const item of check.items) {
      if (item.status === 'supported') continue;
      if (item.reason === 'noSources' && missing.length > 0) continue;
      const d = new vscode.Diagnostic(range(item.start, item.end), this.message(item, rb.block.kind), vscode.DiagnosticSeverity.Warning);
      d.source = GROUNDING_SOURCE;
      d.code = item.kind === 'quote' ? 'unsupported-quote' : item.kind === 'cell' ? 'unsupported-cell' : 'unsupported-figure';
      if (item.nearest) {
        const src = this.sourceKindOf(item.nearest);
        this.targets.set(d, { ...item.nearest, sourceKind: src });
        d.relatedInformation = [
          new vscode.DiagnosticRelatedInformation(
            new vscode.Location(vscode.Uri.parse(item.nearest.sourceUri), new vscode.Position(0, 0)),
            vscode.l10n.t('Nearest match: {0}', item.nearest.snippet),
          ),
        ];
      }
      out.push(d);
    }
    return out;
  }

  private sourceKindOf(match: SourceMatch): Source['kind'] {
    return /\.pdf$/iu.test(vscode.Uri.parse(match.sourceUri).path) ? 'pdf' : 'markdown';
  }

  provideCodeActions(_document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      const target = d.source === GROUNDING_SOURCE ? this.targets.get(d) : undefined;
      if (!target) continue;
      const action = new vscode.CodeAction(vscode.l10n.t('Open nearest match in {0}', target.sourceTitle), vscode.CodeActionKind.QuickFix);
      action.command = { command: OPEN_MATCH_COMMAND, title: action.title, arguments: [target] };
      action.diagnostics = [d];
      actions.push(action);
    }
    return actions;
  }

  /** Opens the source at the match: text sources in an editor with the match selected; PDFs show the passage and offer to open the file. */
  async openMatch(target: MatchTarget): Promise<void> {
    const uri = vscode.Uri.parse(target.sourceUri);
    if (target.sourceKind === 'pdf') {
      const open = vscode.l10n.t('Open PDF');
      const where = target.page !== undefined ? vscode.l10n.t('{0}, p. {1}', target.sourceTitle, target.page) : target.sourceTitle;
      const choice = await vscode.window.showInformationMessage(`${where}: “${target.snippet}”`, open);
      if (choice === open) await vscode.commands.executeCommand('vscode.open', uri);
      return;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    const range = this.locate(document, target);
    await vscode.window.showTextDocument(document, { selection: range, preview: true });
  }

  /** The match in the file: the reader's text may differ from the file (front matter), so search near the offset. */
  private locate(document: vscode.TextDocument, target: MatchTarget): vscode.Range {
    const text = document.getText();
    const needle = target.matched.trim();
    let best = -1;
    if (needle.length > 0) {
      for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
        if (best < 0 || Math.abs(at - target.start) < Math.abs(best - target.start)) best = at;
      }
    }
    if (best < 0) {
      const words = needle
        .split(/\s+/u)
        .filter(Boolean)
        .map((w) => w.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'));
      const m = words.length > 0 ? new RegExp(words.join('\\s+'), 'u').exec(text) : null;
      if (m) return new vscode.Range(document.positionAt(m.index), document.positionAt(m.index + m[0].length));
      const at = document.positionAt(Math.min(target.start, text.length));
      return new vscode.Range(at, at);
    }
    return new vscode.Range(document.positionAt(best), document.positionAt(best + needle.length));
  }
}
