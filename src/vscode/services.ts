import type * as vscode from 'vscode';
import type { AssistantConfig, ExtractionCache, Logger, SourceReader } from '../core';
import type { LlmConnection } from './adapters/llmConnection';
import type { GroundingDiagnostics } from './adapters/groundingDiagnostics';

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
   * Reads the note and what it links to (issue #4):
   * `await services.sources.collect(toNoteDocument(editor.document), { selection, links: 'all' | 'none' | range, kinds?, signal, progress })`
   * → `{ note, sources, links, totalTokens, untrusted }`. Sources with `status !== 'ok'` carry `statusDetail`
   * naming the file; send only the ok ones. Split long ones with `splitSource(source, { budgetTokens })`.
   * `services.sources.links(doc)` lists the note's links without reading files.
   */
  readonly sources: SourceReader;
  /** Extracted PDF text by content hash (global storage, bounded); cleared by Research: Clear Cache. */
  readonly sourceCache: ExtractionCache;
  /**
   * Grounding diagnostics (issue #6): `services.grounding.check(document, { at?, refreshSources?, writeEdits?, signal })`;
   * `void services.grounding.afterInsertion(document)` once a generated block is in the note.
   */
  readonly grounding: GroundingDiagnostics;
}
