/**
 * The one entry for every host (the VS Code extension, the command line, the bench, tests):
 * `createAssistant(init)` takes the host's ports and settings and runs the use cases — the seven
 * inserting tasks through one code path, reading a note's sources, checking grounding, connecting.
 * Caches belong to the instance, so two assistants (a test and the extension, say) never share state.
 */
import type { ActionContext, ActionResult, TextSink } from './actions/context';
import type { AssistantConfig } from './config';
import { ExtractionCache } from './cache/extractionCache';
import { AssistantError } from './errors';
import { NoteGrounding, sourceIds, type BlockGrounding, type NoteCheck, type NoteCheckOptions } from './grounding/noteGrounding';
import type { BlockSpec } from './insertion/block';
import type { EditPlan } from './insertion/editPlan';
import { mapOffset, mapRangeThrough } from './insertion/anchor';
import type { Placement } from './insertion/placement';
import { isoDate } from './insertion/markers';
import type { BatchTiming } from './insertion/streamInsertion';
import { previewContext, renderContextPreview, type ContextPreview } from './actions/contextPreview';
import { blockLabels, resolveLanguage } from './language';
import type { LlmSession } from './llm/types';
import { createLlmProvider } from './llmProvider';
import type { NoteLink } from './markdown/links';
import { systemClock, type Clock } from './ports/clock';
import type { NoteDocument } from './ports/document';
import type { DocumentEditor } from './ports/documentEditor';
import type { BibtexParser, PdfTextExtractor } from './ports/extractors';
import type { FileReader, KeyValueStore, WorkspaceIndex } from './ports/files';
import type { LlmProvider, LlmTransport } from './ports/llm';
import { nullLogger, type Logger } from './ports/logger';
import { nullProgress, type ProgressReporter } from './ports/progress';
import type { PromptSource } from './ports/prompts';
import type { StoreArea, StoreProvider } from './ports/store';
import { PromptLibrary, type PromptFile, type PromptLoadError } from './prompts/promptLibrary';
import { ResultCache } from './results/resultCache';
import type { CollectedSources, CollectOptions, SourceReader } from './sources/reader';
import { DefaultSourceReader } from './sources/sourceReader';
import type { Source } from './sources/types';
import { workspaceRelative } from './sources/uri';
import { TASKS } from './tasks';
import { placeFootnote, planBlock, streamBlock, type Insertion } from './tasks/insert';
import { checkInput, unreadableSources } from './tasks/inputCheck';
import { isPaperLink, noteAndLinked, type TaskEnv, type TaskId, type TaskRequest } from './tasks/task';
import { LIBRARY_PASSAGES } from './tasks/askLibrary';
import { fixedAnswer, retrievePassages, type PassageSource, type RetrieveDeps } from './tasks/libraryContext';
import { findRelated, relatedQuery, type RelatedOptions, type RelatedResult } from './tasks/findRelated';
import { hostLibrary } from './library/hostLibrary';
import type { LibraryService } from './library/library';
import type { Library } from './library/types';
import { MemoryLibraryStore, type LibraryStore } from './ports/libraryStore';

/** Persisted areas and their bounds: the extracted text of a few hundred papers, and generated results. */
export const EXTRACTION_AREA = { name: 'extraction-cache', maxBytes: 256 * 1024 * 1024 } as const;
export const RESULTS_AREA = { name: 'results', maxBytes: 64 * 1024 * 1024 } as const;

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
}

export interface TaskOutcome {
  readonly task: TaskId;
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
  /** The note's links to readable papers and notes, in note order (no file access). */
  links(note: NoteDocument): readonly NoteLink[];
  /** The templates for a note: built-ins plus the workspace's overrides (re-read each time). */
  prompts(noteUri?: string): Promise<PromptLibrary>;
  /** The source reader (warming a note's papers ahead of a task). */
  readonly sources: SourceReader;
  /** The workspace's papers and notes, indexed for search: built on first use, then kept current by the host. */
  readonly library: Library;
  /** Forgets what is held for a closed note. */
  forget(noteUri: string): void;
  /** Empties the extracted-text cache, the result cache and the grounding indexes. */
  clearCaches(): Promise<void>;
  dispose(): void;
}

export function createAssistant(init: AssistantInit): Assistant {
  return new AssistantImpl(init);
}

function linkedSignal(parent: AbortSignal): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort(parent.reason);
  if (parent.aborted) abort();
  parent.addEventListener('abort', abort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', abort) };
}

class AssistantImpl implements Assistant {
  readonly sources: SourceReader;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly llm: LlmProvider;
  private readonly extraction: ExtractionCache;
  private readonly results: ResultCache;
  private readonly resultStore: KeyValueStore;
  private readonly grounding: NoteGrounding;
  private builtins: Promise<readonly PromptFile[]> | undefined;
  /** Task runs in progress, by task and note. */
  private readonly running = new Set<string>();
  private libraryService: LibraryService | undefined;

  constructor(private readonly init: AssistantInit) {
    const { ports } = init;
    this.logger = ports.logger ?? nullLogger;
    this.clock = ports.clock ?? systemClock;
    this.llm = ports.llm ?? createLlmProvider(ports.transport, this.logger);
    const store = ports.store;
    const open = (area: StoreArea): KeyValueStore => ('open' in store ? store.open(area) : store);
    const extractionStore = open(EXTRACTION_AREA);
    this.extraction = new ExtractionCache(extractionStore, this.logger);
    this.resultStore = open(RESULTS_AREA);
    this.results = new ResultCache(this.resultStore);
    this.sources = new DefaultSourceReader({
      files: ports.files,
      workspace: ports.files,
      pdf: () => Promise.resolve(ports.pdf),
      bibtex: () => Promise.resolve(ports.bibtex),
      config: (noteUri) => init.settings(noteUri),
      isTrusted: ports.trust ?? (() => true),
      cache: this.extraction,
      // Parsed bibliographies share the bounded store (and Clear Cache) with the extractions.
      store: extractionStore,
      logger: this.logger,
    });
    this.grounding = new NoteGrounding(this.sources, this.logger, this.clock);
  }

  async run(request: TaskRequest, options: RunOptions): Promise<TaskOutcome> {
    const task = TASKS[request.task];
    const { note } = request;
    const key = `${task.id} ${note.uri}`;
    if (this.running.has(key)) throw new AssistantError('AlreadyRunning', `${task.id} is already running on ${note.uri}`);
    this.running.add(key);
    // Closing the note, or reverting it under our streamed text, cancels the run.
    const { controller, dispose } = linkedSignal(options.signal);
    const closeSub = options.editor?.onDidClose(() => controller.abort());
    try {
      return await this.runTask(request, { ...options, signal: controller.signal }, () => controller.abort());
    } finally {
      closeSub?.dispose();
      dispose();
      this.running.delete(key);
    }
  }

  /** The inserting tasks' one code path, top to bottom. */
  private async runTask(request: TaskRequest, options: RunOptions, cancel: () => void): Promise<TaskOutcome> {
    const { note } = request;
    const { signal, editor } = options;
    const started = this.clock.now();
    const args = request.args ?? {};
    const config = this.init.settings(note.uri);
    const text = note.getText();
    // Templates first: a task that names a template validates it before anything else happens.
    const prompts = await this.prompts(note.uri, config);
    const prepared = TASKS[request.task].prepare({ request, args, text, config, paperLinks: this.links(note), prompts });
    // The block's place (and Explain Term's footnote at the term) follow the user's edits until insertion.
    let footnoteAt = prepared.footnote?.at;
    let placement: Placement = prepared.placement;
    const trackSub = editor?.onDidChange((e) => {
      if (footnoteAt) footnoteAt = mapRangeThrough(footnoteAt, e.changes);
      if (placement.after !== 'note') {
        let at = placement.at;
        for (const change of [...e.changes].sort((a, b) => b.offset - a.offset)) at = mapOffset(at, change);
        placement = { ...placement, at };
      }
    });
    try {
      const language = resolveLanguage(config.outputLanguage, text);
      const labels = blockLabels(language);
      const noteTitle = workspaceRelative(note.uri, this.init.ports.files.folders());
      // The input is read and checked before connecting: an empty note or a missing paper is named as such,
      // not hidden behind "no model server answered".
      const selection = prepared.scope.useSelection ? request.selection : undefined;
      const collected = await this.sources.collect(note, { links: prepared.scope.links, ...(selection ? { selection } : {}), signal });
      if (prepared.library) options.progress?.report('Searching the library…');
      const passages = prepared.library ? await this.retrieve(note, prepared.library.query, prepared.library.limit, signal) : undefined;
      const chosen = prepared.choose(collected, { language, labels, noteTitle, ...(passages ? { passages } : {}) });
      const sources = chosen.sources;
      const fixed = chosen.answer;
      if (fixed === undefined) checkInput(request.task, sources);
      const skipped = unreadableSources(sources);
      if (skipped.length > 0) options.onUnreadable?.(skipped);

      // A fixed answer (nothing relevant in the library) needs no server: nothing is sent.
      const session = fixed === undefined ? await this.llm.session(config, signal) : undefined;
      const progress = options.progress ?? nullProgress;
      let generate = (sink: TextSink): Promise<ActionResult> => Promise.resolve(fixedAnswer(fixed ?? '', sink));
      if (session) {
        const ctx: ActionContext = {
          session,
          prompts,
          config,
          cache: args.regenerate ? this.results.regenerating() : this.results,
          logger: this.logger,
          progress,
          signal,
        };
        const env: TaskEnv = { ctx, language, labels, noteTitle };
        this.logger.info(
          `${request.task}: prepared in ${(this.clock.now() - started).toFixed(1)} ms ` +
            `(${session.info.kind} ${session.info.model}, context ${session.info.contextLength})`,
        );
        generate = (sink) => prepared.generate(env, sources, sink);
      }
      const spec: BlockSpec = {
        kind: prepared.kind,
        attributes: {
          target: chosen.target ?? prepared.target,
          sources: sourceIds(sources),
          model: session?.info.model ?? 'none',
          date: isoDate(new Date()),
        },
        style: prepared.style ?? config.outputStyle,
        title: chosen.title,
        incompleteLabel: labels.incomplete,
      };
      const insertion: Insertion = {
        note,
        spec,
        sources,
        placement: () => placement,
        generate,
        ...(options.sink ? { sink: options.sink } : {}),
        grounding: this.grounding,
      };
      const placed = prepared.footnote
        ? await placeFootnote(
            insertion,
            { term: prepared.footnote.term, at: () => footnoteAt ?? prepared.footnote!.at },
            editor,
            labels.incomplete,
          )
        : editor
          ? await streamBlock(insertion, editor, {
              onCancel: config.onCancel,
              logger: this.logger,
              clock: this.clock,
              signal,
              onDiscarded: cancel,
              ...(options.onBatch ? { onBatch: options.onBatch } : {}),
            })
          : await planBlock(insertion);
      const outcome: TaskOutcome = { task: request.task, sources, collected, ...placed };
      this.grounding.remember(note.uri, sources);
      const r = outcome.result;
      this.logger.info(
        `${request.task}: ${r.fromCache ? 'from cache' : `${r.requests} request(s)`}, ${r.parts} part(s)` +
          (r.warnings.length ? `; warnings: ${r.warnings.join('; ')}` : ''),
      );
      return outcome;
    } finally {
      trackSub?.dispose();
    }
  }

  /** The relevant library passages for a query, cited in the note's syntax; none when nothing relevant is found. */
  private retrieve(note: NoteDocument, query: string, limit: number | undefined, signal: AbortSignal): Promise<PassageSource[]> {
    return retrievePassages(this.libraryDeps(note), note.uri, query, limit ?? LIBRARY_PASSAGES, signal);
  }

  /** The library and what citing in the note's syntax needs. */
  private libraryDeps(note: NoteDocument): RetrieveDeps {
    const citekeys = this.sources.citekeys?.bind(this.sources, note);
    return { library: this.library, links: this.links(note), ...(citekeys ? { citekeys } : {}) };
  }

  collect(note: NoteDocument, options: CollectOptions): Promise<CollectedSources> {
    return this.sources.collect(note, options);
  }

  async preview(note: NoteDocument, options: PreviewOptions): Promise<PreviewOutcome> {
    const config = this.init.settings(note.uri);
    const prompts = await this.prompts(note.uri, config);
    const template = prompts.get('ask');
    const { exclude, usableContext, scope, question, ...collect } = options;
    const collected = await this.sources.collect(note, { ...collect, links: 'all' });
    const usable = usableContext ?? (config.contextLength > 0 ? config.contextLength : undefined);
    const query = question?.trim() || relatedQuery(note.getText());
    const passages = scope === 'library' && query ? await this.retrieve(note, query, undefined, options.signal) : [];
    const preview = previewContext({
      template,
      language: resolveLanguage(config.outputLanguage, note.getText()),
      sources: [...noteAndLinked(collected), ...passages],
      ...(question?.trim() ? { question: question.trim() } : {}),
      ...(exclude ? { exclude } : {}),
      ...(usable ? { usableContext: usable } : {}),
      maxOutput: Math.min(template.maxTokens ?? config.maxOutputTokens, config.maxOutputTokens),
    });
    const text = renderContextPreview(preview, workspaceRelative(note.uri, this.init.ports.files.folders()));
    return { collected, passages, preview, text };
  }

  related(note: NoteDocument, options: RelatedOptions): Promise<RelatedResult> {
    return findRelated(this.libraryDeps(note), note, options);
  }

  check(note: NoteDocument, options: NoteCheckOptions): Promise<NoteCheck> {
    return this.grounding.check(note, options);
  }

  connect(signal: AbortSignal, config?: AssistantConfig): Promise<LlmSession> {
    return this.llm.session(config ?? this.init.settings(), signal);
  }

  links(note: NoteDocument): readonly NoteLink[] {
    return this.sources.links(note).filter(isPaperLink);
  }

  async prompts(noteUri?: string, config: AssistantConfig = this.init.settings(noteUri)): Promise<PromptLibrary> {
    const source = this.init.ports.prompts;
    this.builtins ??= source.builtins();
    // The user's templates only from a trusted workspace: a template decides what is sent to the server.
    const trusted = (this.init.ports.trust ?? (() => true))();
    const user = trusted && config.promptsFolder ? await source.overrides(config.promptsFolder, noteUri) : [];
    const library = PromptLibrary.load(await this.builtins, user);
    for (const e of library.errors) this.logger.warn(`Prompt template ignored: ${e.message}`);
    if (library.errors.length > 0) this.init.onPromptErrors?.(library.errors);
    return library;
  }

  get library(): Library {
    const { ports } = this.init;
    if (ports.library) return ports.library;
    this.libraryService ??= hostLibrary({
      files: ports.files,
      store: ports.libraryStore ?? new MemoryLibraryStore(),
      pdf: () => Promise.resolve(ports.pdf),
      bibtex: () => Promise.resolve(ports.bibtex),
      cache: this.extraction,
      settings: () => this.init.settings(),
      isTrusted: ports.trust ?? (() => true),
      logger: this.logger,
    });
    return this.libraryService;
  }

  forget(noteUri: string): void {
    this.grounding.forget(noteUri);
  }

  async clearCaches(): Promise<void> {
    await this.extraction.clear();
    await this.resultStore.clear();
    // The in-memory indexes of source text for grounding checks go with the text they index.
    this.grounding.clear();
    // The library's passages come from the extracted text: they go too (the next library command rebuilds them).
    await this.libraryService?.clear();
  }

  dispose(): void {
    this.grounding.clear();
    this.libraryService?.dispose();
  }
}
