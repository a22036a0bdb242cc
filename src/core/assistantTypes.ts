/**
 * The contract of `createAssistant`: the ports a host provides, the options of a run, and what the assistant
 * returns. The implementation is in assistant.ts.
 */
import type { ContentHasher } from './cache/extractionCache';
import type { TextSink } from './actions/context';
import type { AssistantConfig } from './config';
import type { NoteCheck, NoteCheckOptions } from './grounding/noteGrounding';
import type { BatchTiming } from './insertion/streamInsertion';
import type { ContextPreview } from './actions/contextPreview';
import type { Embedder } from './library/types';
import type { LlmSession } from './llm/types';
import type { NoteLink } from './markdown/links';
import type { Clock } from './ports/clock';
import type { NoteDocument } from './ports/document';
import type { DocumentEditor } from './ports/documentEditor';
import type { BibtexParser, PdfTextExtractor } from './ports/extractors';
import type { FileReader, KeyValueStore, WorkspaceIndex } from './ports/files';
import type { LlmProvider, LlmTransport } from './ports/llm';
import type { Logger } from './ports/logger';
import type { ProgressReporter } from './ports/progress';
import type { PromptSource } from './ports/prompts';
import type { StoreProvider } from './ports/store';
import type { PromptLibrary, PromptLoadError } from './prompts/promptLibrary';
import type { TextHasher } from './results/resultCache';
import type { CollectedSources, CollectOptions, SourceReader } from './sources/reader';
import type { Source } from './sources/types';
import type { Placed } from './tasks/insert';
import type { TaskId, TaskRequest } from './tasks/task';
import type { PassageSource } from './tasks/libraryContext';
import type { RelatedOptions, RelatedResult } from './tasks/findRelated';
import type { Library } from './library/types';
import type { LibraryStore } from './ports/libraryStore';

/** Everything a host provides. */
export interface AssistantPorts {
  /** Reading files, and the workspace as links see it. */
  readonly files: FileReader & WorkspaceIndex;
  /**
   * Persisted caches: one bounded store for everything (their keys do not collide), or a provider that
   * opens one area per cache with the core's bounds.
   */
  readonly store: KeyValueStore | StoreProvider;
  readonly prompts: PromptSource;
  readonly pdf: PdfTextExtractor;
  readonly bibtex: BibtexParser;
  /** The model server; default: connect through `transport` (global fetch, no API key). */
  readonly llm?: LlmProvider;
  readonly transport?: LlmTransport;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Workspace trust: linked files are read only in a trusted workspace (default trusted). */
  readonly trust?: () => boolean;
  /** Where the library index is kept (workspace storage); without it the library lasts for the session only. */
  readonly libraryStore?: LibraryStore;
  /** A library built elsewhere (tests, a host sharing one) instead of the one over `libraryStore`. */
  readonly library?: Library;
  /**
   * Content hashes of linked files (the extraction cache's keys): default Web Crypto, which every host has. A
   * Node host passes node:crypto's (`nodeContentHash`): it hashes in place, where Web Crypto first copies the bytes
   * to a worker thread — the first action of a session hashes every linked PDF (7 MB: 8 ms against 15–20 ms).
   */
  readonly hash?: ContentHasher;
  /**
   * SHA-256 of texts (the keys of cached results and remembered groundings): default Web Crypto. A Node host passes
   * node:crypto's (`nodeTextHash`), the same keys without encoding and copying the ~280 kB prompt first.
   */
  readonly hashText?: TextHasher;
}

export interface AssistantInit {
  readonly ports: AssistantPorts;
  /** A frozen settings snapshot, scoped to a note's URI when given. */
  readonly settings: (resourceUri?: string) => AssistantConfig;
  /** User templates that failed to parse and are ignored: the host tells the user (file and line). */
  readonly onPromptErrors?: (errors: readonly PromptLoadError[]) => void;
}

export interface RunOptions {
  readonly signal: AbortSignal;
  readonly progress?: ProgressReporter;
  /** Given: the block is streamed into the document through this port (the editor, a CLI writing the file). */
  readonly editor?: DocumentEditor;
  /** Visible answer text as it arrives. */
  readonly sink?: TextSink;
  /**
   * Linked sources that could not be read (missing, unreadable, refused) while others remain: the task goes on
   * without them. Called before connecting, so the host can name them whatever the server does next.
   */
  readonly onUnreadable?: (sources: readonly Source[]) => void;
  /** Timing of every streamed batch (bench). */
  readonly onBatch?: (batch: BatchTiming) => void;
  /**
   * A run the user is not waiting on (batch reading): it does not count in `activity`, so a batch can make room
   * for the runs the user is waiting on.
   */
  readonly background?: boolean;
  /** Most requests this run keeps in flight (default: the concurrency setting, i.e. the server's slots). */
  readonly maxParallelRequests?: number;
}

/** The task runs the user is waiting on (not background ones), for a batch that yields server slots to them. */
export interface RunActivity {
  /** How many are in progress now. */
  running(): number;
  /** Called whenever one starts or ends. */
  onDidChange(listener: () => void): { dispose(): void };
}

export interface TaskOutcome extends Placed {
  readonly task: TaskId;
  /** Every source considered, with its status (missing, refused, untrusted…) for warnings. */
  readonly sources: readonly Source[];
  /** The linked sources read, unreadable ones included. */
  readonly collected: CollectedSources;
}

export interface PreviewOptions extends Omit<CollectOptions, 'links'> {
  /** Source ids the user left out. */
  readonly exclude?: readonly string[];
  /** The model's usable context when the host knows it (a connected server); else the setting, if set. */
  readonly usableContext?: number;
  /** `library`: what Ask About Note sends with the library scope, the passages found for `question` included. */
  readonly scope?: 'linked' | 'library';
  /** The question (the library scope searches for it; without one, for the note's text). */
  readonly question?: string;
}

export interface PreviewOutcome {
  readonly collected: CollectedSources;
  /** The library passages sent with the library scope, best first. */
  readonly passages: readonly PassageSource[];
  readonly preview: ContextPreview;
  /** The preview as a markdown document. */
  readonly text: string;
}

export interface Assistant {
  /** Runs one of the seven inserting tasks; a second run of the same task on the same note is refused (AlreadyRunning). */
  run(request: TaskRequest, options: RunOptions): Promise<TaskOutcome>;
  /** The note and its linked sources, as a task would read them (Preview Context). */
  collect(note: NoteDocument, options: CollectOptions): Promise<CollectedSources>;
  /** What Ask About Note would send for the note (messages, tokens per part), rendered; nothing is sent. */
  preview(note: NoteDocument, options: PreviewOptions): Promise<PreviewOutcome>;
  /** The library's papers most related to the selection, the paragraph at the cursor or the note (Find Related Papers). */
  related(note: NoteDocument, options: RelatedOptions): Promise<RelatedResult>;
  /** Grounding of the note's research blocks: results, the edits that record them, and a report. */
  check(note: NoteDocument, options: NoteCheckOptions): Promise<NoteCheck>;
  /** A connected session for the note's settings (or the given ones). */
  connect(signal: AbortSignal, config?: AssistantConfig): Promise<LlmSession>;
  /**
   * The server's embedding model for the library's vectors; undefined when `library.embeddingModel` is `off` or the
   * server offers none. Throws like `connect` (and ModelNotFound for a named model the server lacks).
   */
  embedder(signal: AbortSignal, config?: AssistantConfig): Promise<Embedder | undefined>;
  /** The note's links to readable papers and notes, in note order (no file access). */
  links(note: NoteDocument): readonly NoteLink[];
  /** The templates for a note: built-ins plus the workspace's overrides (re-read each time). */
  prompts(noteUri?: string): Promise<PromptLibrary>;
  /** The source reader (warming a note's papers ahead of a task; single files for a batch run). */
  readonly sources: SourceReader;
  /** Foreground task runs in progress. */
  readonly activity: RunActivity;
  /** The workspace's papers and notes, indexed for search: built on first use, then kept current by the host. */
  readonly library: Library;
  /** Forgets what is held for a closed note. */
  forget(noteUri: string): void;
  /** Empties the extracted-text cache, the result cache and the grounding indexes. */
  clearCaches(): Promise<void>;
  dispose(): void;
}
