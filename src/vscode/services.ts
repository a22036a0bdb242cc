import type * as vscode from 'vscode';
import type { Assistant, AssistantConfig, Logger } from '../core';
import type { LlmConnection } from './adapters/llmConnection';
import type { GroundingDiagnostics } from './adapters/groundingDiagnostics';
import type { ReadOnlyDocuments } from './ui/readOnlyDocuments';
import type { LibraryHost } from './adapters/libraryHost';

/** What commands receive: built once in activate(), passed through constructors. */
export interface ExtensionServices {
  readonly context: vscode.ExtensionContext;
  readonly logger: Logger;
  readonly channel: vscode.LogOutputChannel;
  /** A fresh settings snapshot for the note `resource`; `null` when no note is involved (connection settings). */
  readonly config: (resource: vscode.Uri | null) => AssistantConfig;
  /**
   * The model server: `await services.llm.session(config, signal)` gives a connected LlmSession
   * (detected, model picked, usable context read; cached, re-detected when stale). Throws AssistantError.
   */
  readonly llm: LlmConnection;
  /**
   * The assistant over the VS Code ports: `assistant.run({ task, note, selection, cursor, args }, { signal, progress, editor })`
   * runs an inserting task; `collect`, `check`, `links`, `prompts`, `clearCaches` for the other commands.
   */
  readonly assistant: Assistant;
  /**
   * Grounding diagnostics: `services.grounding.check(document, { at?, refreshSources?, writeEdits?, signal })`;
   * `void services.grounding.afterInsertion(document)` once a generated block is in the note.
   */
  readonly grounding: GroundingDiagnostics;
  /** Read-only documents the assistant shows (Preview Context). */
  readonly readOnly: ReadOnlyDocuments;
  /**
   * The workspace's library: `await services.library.ready()` builds it on first use (progress notification) and
   * starts the watcher and the status bar; `exists()` tells whether to offer "Whole library".
   */
  readonly library: LibraryHost;
}
