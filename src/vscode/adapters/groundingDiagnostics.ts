import * as vscode from 'vscode';
import {
  groundingMessage,
  isCancellationError,
  matchPlace,
  type Assistant,
  type CheckedBlock,
  type GroundingReport,
  type Logger,
  type Source,
  type SourceMatch,
  type TextEditOp,
  type Translate,
} from '../../core';
import { liveNoteDocument } from './noteDocument';

/** Diagnostics source and collection name: what the Problems panel shows next to each warning. */
export const GROUNDING_SOURCE = 'Research';
/** Internal (not in the palette) command behind the "Open nearest match" quick fix. */
export const OPEN_MATCH_COMMAND = '_researchAssistant.openGroundingMatch';
/** Re-check this long after the last keystroke in a block: long enough to skip streaming bursts and typing. */
const DEBOUNCE_MS = 400;
/** The core's grounding messages in the user's language (the l10n bundles are keyed by the English templates). */
const translate: Translate = (template, ...args) => vscode.l10n.t(template, ...args);

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

/**
 * Warning diagnostics for unsupported figures and quotes of research blocks, kept up to date while the
 * note changes, with a quick fix that opens the nearest match in the source. The assistant decides what
 * is checked against what (Assistant.check); this class schedules checks, renders their result and
 * applies the edits that record it.
 */
export class GroundingDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  private readonly collection = vscode.languages.createDiagnosticCollection(GROUNDING_SOURCE);
  private readonly targets = new WeakMap<vscode.Diagnostic, MatchTarget>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly running = new Map<string, { readonly controller: AbortController; readonly explicit: boolean }>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: { readonly logger: Logger; readonly assistant: Assistant }) {
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
   * After a task inserted a block: check the note and record "figures" in blocks that do not have it yet.
   * The assistant remembers the sources the block was generated from, so nothing is read again.
   */
  async afterInsertion(document: vscode.TextDocument): Promise<void> {
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
    this.deps.assistant.forget(key);
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.running.get(key)?.controller.abort();
  }

  /** Checks the note's blocks (or the one at `at`), sets its diagnostics, optionally writes the header and ⚠ edits (one undo step). */
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
      const result = await this.deps.assistant.check(liveNoteDocument(document), {
        ...(options.at === undefined ? {} : { at: options.at }),
        ...(options.refreshSources ? { refreshSources: true } : {}),
        signal: controller.signal,
      });
      this.collection.set(
        document.uri,
        result.blocks.flatMap((r) => this.diagnostics(document, r)),
      );
      if (options.writeEdits && result.edits.length > 0) await this.apply(document, result.version, result.edits);
      return result.report;
    } finally {
      options.signal.removeEventListener('abort', abort);
      if (this.running.get(key) === entry) this.running.delete(key);
    }
  }

  private async apply(document: vscode.TextDocument, version: number, edits: readonly TextEditOp[]): Promise<void> {
    if (document.version !== version) return;
    const we = new vscode.WorkspaceEdit();
    for (const e of edits) we.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.text);
    await vscode.workspace.applyEdit(we);
  }

  private diagnostics(document: vscode.TextDocument, checked: CheckedBlock): vscode.Diagnostic[] {
    const { block: rb, check, missing } = checked;
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
      const d = new vscode.Diagnostic(
        range(item.start, item.end),
        groundingMessage(item, checked.block.block.attributes.sources, translate),
        vscode.DiagnosticSeverity.Warning,
      );
      d.source = GROUNDING_SOURCE;
      d.code = item.kind === 'quote' ? 'unsupported-quote' : item.kind === 'cell' ? 'unsupported-cell' : 'unsupported-figure';
      if (item.nearest) {
        const src = this.sourceKindOf(item.nearest);
        this.targets.set(d, { ...item.nearest, sourceKind: src });
        // The related entry stays on the note's text: a PDF has no line to point at, so the page goes in the message.
        d.relatedInformation = [
          new vscode.DiagnosticRelatedInformation(
            new vscode.Location(document.uri, range(item.start, item.end)),
            vscode.l10n.t('Nearest match in {0}: “{1}”', matchPlace(item.nearest, translate), item.nearest.snippet),
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
      const action = new vscode.CodeAction(
        vscode.l10n.t('Open nearest match in {0}', matchPlace(target, translate)),
        vscode.CodeActionKind.QuickFix,
      );
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
      const where = matchPlace(target, translate);
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
