import * as vscode from 'vscode';
import {
  AssistantError,
  type AssistantConfig,
  type OffsetRange,
  type Source,
  type TaskArgs,
  type TaskId,
  type TaskOutcome,
  type TaskRequest,
} from '../../core';
import type { CommandId } from '../constants';
import type { ExtensionServices } from '../services';
import { runWithProgress } from '../ui/progress';
import { showAssistantError } from '../ui/errors';
import { toNoteDocument } from './noteDocument';
import { VsCodeDocumentEditor } from './vscodeDocumentEditor';

export { toNoteDocument } from './noteDocument';
/** The optional argument object every action command accepts, so commands can be bound to keys and scripted; given → no dialogs. */
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
  /** Ask About Note, Draft Section: `library` draws on the whole library besides the linked papers. */
  readonly scope?: 'linked' | 'library';
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
      ...(o.scope === 'library' || o.scope === 'linked' ? { scope: o.scope } : {}),
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

/**
 * The shared flow of an inserting command: cancellable progress around the assistant's run, the block
 * streamed into the note through the editor port, then the note's grounding diagnostics. The assistant
 * refuses a second run on the same note and cancels when the note is closed or reverted.
 */
export async function runTask(
  services: ExtensionServices,
  inv: Invocation,
  title: string,
  task: TaskId,
  args: Omit<TaskArgs, 'regenerate'> = {},
): Promise<TaskOutcome> {
  const editor = new VsCodeDocumentEditor(inv.document);
  const request: TaskRequest = {
    task,
    note: toNoteDocument(inv.document),
    ...(inv.selection ? { selection: inv.selection } : {}),
    // A cursor only when the note is shown: without one whole-note results go at the end of the note.
    ...(inv.editor ? { cursor: inv.cursor } : {}),
    args: { ...args, ...(inv.args.regenerate ? { regenerate: true } : {}) },
  };
  const onUnreadable = (sources: readonly Source[]): void => {
    const names = sources.map((s) => (s.status === 'missing' ? `${s.id} (${vscode.l10n.t('missing')})` : s.id)).join(', ');
    void vscode.window.showWarningMessage(vscode.l10n.t('Left out {0} linked file(s) that could not be read: {1}', sources.length, names));
  };
  const outcome = await runWithProgress(title, (signal, progress) =>
    services.assistant.run(request, { signal, progress, editor, onUnreadable }),
  );
  if (outcome.form === 'block') {
    // Diagnostics for unsupported figures; the header already says "figures", so this adds no edit.
    void services.grounding.afterInsertion(inv.document);
    if (outcome.result.finishReason === 'length')
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'The answer reached the maximum output length and is marked incomplete. Raise researchAssistant.maxOutputTokens to allow longer answers.',
        ),
      );
  }
  return outcome;
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
