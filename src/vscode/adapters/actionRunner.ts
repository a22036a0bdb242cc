import * as vscode from 'vscode';
import { checkBlock } from '../../core/grounding';
import {
  AssistantError,
  applyEdits,
  styleBody,
  ResultCache,
  blockLabels,
  isoDate,
  resolveLanguage,
  type ActionContext,
  type ActionResult,
  type AssistantConfig,
  type BlockKind,
  type BlockSpec,
  type CollectOptions,
  type CollectedSources,
  type NoteDocument,
  type NoteLink,
  type OffsetRange,
  type PromptLibrary,
  type ResolvedLanguage,
  type Source,
  type TextSink,
} from '../../core';
import type { CommandId } from '../constants';
import type { ExtensionServices } from '../services';
import { runWithProgress } from '../ui/progress';
import { showAssistantError } from '../ui/errors';
import { loadPromptLibrary } from './promptFiles';
import { VsCodeFileStore } from './vscodeCache';
import { RunningActions, onNoteClosed, streamIntoDocument, type InsertedBlock } from './streamingInsertion';

/** The optional argument object every action command accepts (PRODUCT.md §2); given → no dialogs. */
export interface ActionArgs {
  readonly uri?: vscode.Uri;
  readonly regenerate?: boolean;
  readonly question?: string;
  readonly term?: string;
  readonly columns?: readonly string[];
  readonly link?: string;
  readonly promptId?: string;
  /** Selection as offsets, for scripted runs on a document that is not the active editor. */
  readonly selection?: OffsetRange;
}

/** Reads the argument object (a CodeLens or keybinding may pass a Uri or nothing). */
export function parseActionArgs(args: readonly unknown[]): { args: ActionArgs; scripted: boolean } {
  const first = args[0];
  if (first instanceof vscode.Uri) return { args: { uri: first }, scripted: false };
  if (typeof first !== 'object' || first === null) return { args: {}, scripted: false };
  const o = first as Record<string, unknown>;
  const uri = o.uri instanceof vscode.Uri ? o.uri : typeof o.uri === 'string' ? vscode.Uri.parse(o.uri) : undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const sel = o.selection as { start?: unknown; end?: unknown } | undefined;
  return {
    args: {
      ...(uri ? { uri } : {}),
      regenerate: o.regenerate === true,
      ...(str(o.question) !== undefined ? { question: str(o.question) } : {}),
      ...(str(o.term) !== undefined ? { term: str(o.term) } : {}),
      ...(Array.isArray(o.columns) ? { columns: o.columns.filter((c): c is string => typeof c === 'string') } : {}),
      ...(str(o.link) !== undefined ? { link: str(o.link) } : {}),
      ...(str(o.promptId) !== undefined ? { promptId: str(o.promptId) } : {}),
      ...(sel && typeof sel.start === 'number' && typeof sel.end === 'number' ? { selection: { start: sel.start, end: sel.end } } : {}),
    },
    // Scripted only when the object carries something beyond a bare uri from a CodeLens.
    scripted: Object.keys(o).length > 0,
  };
}

/** Where the command runs: the note, its editor (when visible), the selection and the cursor as offsets. */
export interface Invocation {
  readonly document: vscode.TextDocument;
  readonly editor?: vscode.TextEditor;
  /** Non-empty selection, else undefined. */
  readonly selection?: OffsetRange;
  readonly cursor: number;
  readonly config: AssistantConfig;
  readonly args: ActionArgs;
  readonly scripted: boolean;
}

export async function resolveInvocation(services: ExtensionServices, rawArgs: readonly unknown[]): Promise<Invocation> {
  const { args, scripted } = parseActionArgs(rawArgs);
  const active = vscode.window.activeTextEditor;
  const document = args.uri ? await vscode.workspace.openTextDocument(args.uri) : active?.document;
  if (!document) throw new AssistantError('NoInput', 'No markdown note is open');
  const editor =
    vscode.window.visibleTextEditors.find((e) => e.document === document) ?? (active?.document === document ? active : undefined);
  let selection = args.selection;
  if (!selection && editor && !editor.selection.isEmpty)
    selection = { start: document.offsetAt(editor.selection.start), end: document.offsetAt(editor.selection.end) };
  const cursor = selection?.end ?? (editor ? document.offsetAt(editor.selection.active) : 0);
  return {
    document,
    ...(editor ? { editor } : {}),
    ...(selection ? { selection } : {}),
    cursor,
    config: services.config(document.uri),
    args,
    scripted,
  };
}

/** The VS Code document as the core's minimal NoteDocument. */
export function toNoteDocument(document: vscode.TextDocument): NoteDocument {
  return { uri: document.uri.toString(), version: document.version, languageId: document.languageId, getText: () => document.getText() };
}

export async function collectSources(
  services: ExtensionServices,
  inv: Invocation,
  options: Omit<CollectOptions, 'signal' | 'selection'> & { readonly useSelection: boolean },
  signal: AbortSignal,
): Promise<CollectedSources> {
  const selection = options.useSelection ? inv.selection : undefined;
  const { useSelection: _ignored, ...rest } = options;
  return services.sources.collect(toNoteDocument(inv.document), { ...rest, ...(selection ? { selection } : {}), signal });
}

/** Results kept in global storage (PRODUCT.md §9), bounded; the folder Research: Clear Cache should also clear. */
export const RESULTS_FOLDER = 'results';
const RESULTS_BYTES = 64 * 1024 * 1024;

function resultStore(services: ExtensionServices): VsCodeFileStore {
  return new VsCodeFileStore(services.context.globalStorageUri, RESULTS_FOLDER, RESULTS_BYTES, services.logger);
}

export function resultCache(services: ExtensionServices): ResultCache {
  return new ResultCache(resultStore(services));
}

/** Empties the result cache (for Research: Clear Cache). */
export function clearResultCache(services: ExtensionServices): Promise<void> {
  return resultStore(services).clear();
}

/** Everything an action needs once the server is connected. */
export interface ActionEnv {
  readonly ctx: ActionContext;
  readonly language: ResolvedLanguage;
  readonly labels: ReturnType<typeof blockLabels>;
  readonly prompts: PromptLibrary;
}

export interface InsertionPlan {
  readonly kind: BlockKind;
  readonly target: string;
  readonly title: string;
  readonly sources: readonly Source[];
  readonly anchorOffset: number;
  readonly generate: (sink: TextSink) => Promise<ActionResult>;
  readonly finalBody?: (result: ActionResult) => string;
  /** Forces the plain style (e.g. tables and footnote-bearing blocks). */
  readonly style?: BlockSpec['style'];
}

/** Source ids for the block header: the workspace-relative files the answer came from. */
export function sourceIds(sources: readonly Source[]): string[] {
  return [...new Set(sources.filter((s) => s.status === 'ok').map((s) => s.id))];
}

/**
 * The shared flow of an inserting command: refuse a second run on the same document, show cancellable
 * progress, connect, load templates, build the plan, stream into the document. Closing the document cancels.
 */
export async function runInsertion(
  services: ExtensionServices,
  commandId: CommandId,
  inv: Invocation,
  title: string,
  plan: (env: ActionEnv, signal: AbortSignal) => Promise<InsertionPlan | undefined>,
): Promise<InsertedBlock | undefined> {
  const release = RunningActions.tryStart(commandId, inv.document.uri);
  if (!release) throw new AssistantError('AlreadyRunning', `${commandId} is already running on ${inv.document.uri.toString()}`);
  const closed = new AbortController();
  const closeSub = onNoteClosed(inv.document, () => closed.abort());
  try {
    return await runWithProgress(
      title,
      async (signal, progress) => {
        const started = performance.now();
        const session = await services.llm.session(inv.config, signal);
        const prompts = await loadPromptLibrary(services.context.extensionUri, inv.config, inv.document.uri, services.logger);
        const store = resultCache(services);
        const language = resolveLanguage(inv.config.outputLanguage, inv.document.getText());
        const ctx: ActionContext = {
          session,
          prompts,
          config: inv.config,
          cache: inv.args.regenerate ? store.regenerating() : store,
          logger: services.logger,
          progress,
          signal,
        };
        const p = await plan({ ctx, language, labels: blockLabels(language), prompts }, signal);
        if (!p) return undefined;
        services.logger.info(
          `${commandId}: prepared in ${(performance.now() - started).toFixed(1)} ms (${session.info.kind} ${session.info.model}, context ${session.info.contextLength})`,
        );
        const spec: BlockSpec = {
          kind: p.kind,
          attributes: { target: p.target, sources: sourceIds(p.sources), model: session.info.model, date: isoDate(new Date()) },
          style: p.style ?? inv.config.outputStyle,
          title: p.title,
          incompleteLabel: blockLabels(language).incomplete,
        };
        const { result, block } = await streamIntoDocument({
          document: inv.document,
          spec,
          anchorOffset: p.anchorOffset,
          onCancel: inv.config.onCancel,
          logger: services.logger,
          // The source index for the grounding check is built while the model generates (GroundingDiagnostics.whileGenerating).
          generate: (sink) => services.grounding.whileGenerating(p.sources, p.generate, sink, signal),
          ...(p.finalBody ? { finalBody: p.finalBody } : {}),
          prepareFinal: (body, s) => withGrounding(body, s, p.sources),
          onDiscarded: () => closed.abort(),
        });
        // Diagnostics for unsupported figures (issue #6); the header already says "figures", so this adds no edit.
        void services.grounding.afterInsertion(inv.document, p.sources);
        services.logger.info(
          `${commandId}: ${result.fromCache ? 'from cache' : `${result.requests} request(s)`}, ${result.parts} part(s)${result.warnings.length ? `; warnings: ${result.warnings.join('; ')}` : ''}`,
        );
        if (result.finishReason === 'length')
          void vscode.window.showWarningMessage(
            vscode.l10n.t(
              'The answer reached the maximum output length and is marked incomplete. Raise researchAssistant.maxOutputTokens to allow longer answers.',
            ),
          );
        return block;
      },
      closed.signal,
    );
  } finally {
    closeSub.dispose();
    release();
  }
}

/**
 * Records "figures checked" in the header (and ⚠ marks in table cells) before the block is inserted, as
 * the grounding checker computes them for the block's content between the markers.
 */
function withGrounding(body: string, spec: BlockSpec, sources: readonly Source[]): { body: string; spec: BlockSpec } {
  const trimmed = body.replace(/\s+$/, '');
  const content = `\n${styleBody(spec, trimmed)}\n`;
  const r = checkBlock(
    content,
    sources.filter((s) => s.status === 'ok'),
    spec.kind,
  );
  // Cell marks are offsets in the content; only the plain style (tables) maps them back to the body 1:1.
  const marked = r.edits.length > 0 && content === `\n${trimmed}\n` ? applyEdits(content, r.edits).slice(1, -1) : trimmed;
  return { body: marked, spec: { ...spec, attributes: { ...spec.attributes, figures: `${r.supported}/${r.checked}` } } };
}

/** A short stable hash for block targets (selection text, questions). */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** Links in the note that point at papers or notes we can read (PDF, markdown, text, citekeys), in note order. */
export function paperLinks(services: ExtensionServices, document: NoteDocument): NoteLink[] {
  return services.sources
    .links(document)
    .filter(
      (l) =>
        !l.external && (l.citekey !== undefined || /\.(pdf|md|markdown|txt|tex|html?)$/i.test(l.target) || !/\.[a-z0-9]+$/i.test(l.target)),
    );
}

/** The word (or hyphenated term, or CJK run) at an offset, as offsets; undefined between words. */
export function wordAt(document: vscode.TextDocument, offset: number): OffsetRange | undefined {
  const range = document.getWordRangeAtPosition(document.positionAt(offset), /[\p{L}\p{N}][\p{L}\p{N}'’-]*/u);
  return range ? { start: document.offsetAt(range.start), end: document.offsetAt(range.end) } : undefined;
}

/**
 * Runs a command body and reports its error without waiting for the user to dismiss the message, so a
 * scripted caller (keybinding, test, another extension) resolves as soon as the run is over, never hangs.
 */
export async function guarded<T>(
  services: ExtensionServices,
  commandId: CommandId,
  args: readonly unknown[],
  body: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await body();
  } catch (error) {
    void showAssistantError(error, services.logger, () => vscode.commands.executeCommand(commandId, ...args));
    return undefined;
  }
}
