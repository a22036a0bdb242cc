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
import { NoteGrounding, sourceIds, type NoteCheck, type NoteCheckOptions } from './grounding/noteGrounding';
import type { BlockSpec } from './insertion/block';
import { mapOffset, mapRangeThrough } from './insertion/anchor';
import type { Placement } from './insertion/placement';
import { isoDate } from './insertion/markers';
import { previewContext, renderContextPreview } from './actions/contextPreview';
import { blockLabels, resolveLanguage } from './language';
import type { Embedder } from './library/types';
import type { LlmSession } from './llm/types';
import { createLlmProvider } from './llmProvider';
import type { NoteLink } from './markdown/links';
import { NoteParser, type ParsedNote } from './markdown/parseNote';
import { systemClock, type Clock } from './ports/clock';
import type { NoteDocument } from './ports/document';
import type { KeyValueStore } from './ports/files';
import type { LlmProvider } from './ports/llm';
import { nullLogger, type Logger } from './ports/logger';
import { nullProgress } from './ports/progress';
import type { StoreArea } from './ports/store';
import { PromptLibrary, type PromptFile } from './prompts/promptLibrary';
import { GroundingMemo } from './grounding/groundingMemo';
import { ResultCache } from './results/resultCache';
import type { CollectedSources, CollectOptions, SourceReader } from './sources/reader';
import { DefaultSourceReader } from './sources/sourceReader';
import { workspaceRelative } from './sources/uri';
import { TASKS } from './tasks';
import { placeFootnote, planBlock, streamBlock, type Insertion } from './tasks/insert';
import { checkInput, unreadableSources } from './tasks/inputCheck';
import { isPaperLink, noteAndLinked, type TaskEnv, type TaskRequest } from './tasks/task';
import { LIBRARY_PASSAGES } from './tasks/askLibrary';
import { fixedAnswer, retrievePassages, type LibraryHits, type RetrieveDeps } from './tasks/libraryContext';
import { findRelated, relatedQuery, type RelatedOptions, type RelatedResult } from './tasks/findRelated';
import { hostLibrary } from './library/hostLibrary';
import type { LibraryService } from './library/library';
import type { Library } from './library/types';
import { MemoryLibraryStore } from './ports/libraryStore';

/** Persisted areas and their bounds: the extracted text of a few hundred papers, and generated results. */
export const EXTRACTION_AREA = { name: 'extraction-cache', maxBytes: 256 * 1024 * 1024 } as const;
export const RESULTS_AREA = { name: 'results', maxBytes: 64 * 1024 * 1024 } as const;

export type {
  AssistantPorts,
  AssistantInit,
  RunOptions,
  RunActivity,
  TaskOutcome,
  PreviewOptions,
  PreviewOutcome,
  Assistant,
} from './assistantTypes';
import type { AssistantInit, Assistant, RunOptions, RunActivity, TaskOutcome, PreviewOptions, PreviewOutcome } from './assistantTypes';

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
  /** Embeds for the library when the host's provider does not (created on first use). */
  private embeddingProvider: LlmProvider | undefined;
  private readonly extraction: ExtractionCache;
  private readonly results: ResultCache;
  private readonly resultStore: KeyValueStore;
  private readonly grounding: NoteGrounding;
  private builtins: Promise<readonly PromptFile[]> | undefined;
  /** The recent parses of notes: reading the sources, placing a block and checking the input share them. */
  private readonly notes = new NoteParser(8);
  private readonly parse = (text: string): ParsedNote => this.notes.parse(text);
  /** Task runs in progress, by task and note. */
  private readonly running = new Set<string>();
  private foreground = 0;
  private readonly activityListeners = new Set<() => void>();
  readonly activity: RunActivity = {
    running: () => this.foreground,
    onDidChange: (listener) => {
      this.activityListeners.add(listener);
      return { dispose: () => this.activityListeners.delete(listener) };
    },
  };
  private libraryService: LibraryService | undefined;

  constructor(private readonly init: AssistantInit) {
    const { ports } = init;
    this.logger = ports.logger ?? nullLogger;
    this.clock = ports.clock ?? systemClock;
    this.llm = ports.llm ?? createLlmProvider(ports.transport, this.logger);
    const store = ports.store;
    const open = (area: StoreArea): KeyValueStore => ('open' in store ? store.open(area) : store);
    const extractionStore = open(EXTRACTION_AREA);
    this.extraction = new ExtractionCache(extractionStore, this.logger, ports.hash ? { hash: ports.hash } : {});
    this.resultStore = open(RESULTS_AREA);
    this.results = new ResultCache(this.resultStore, false, ports.hashText);
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
      parser: this.notes,
    });
    this.grounding = new NoteGrounding(this.sources, this.logger, this.clock, new GroundingMemo(this.resultStore, ports.hashText));
  }

  async run(request: TaskRequest, options: RunOptions): Promise<TaskOutcome> {
    const task = TASKS[request.task];
    const { note } = request;
    const key = `${task.id} ${note.uri}`;
    if (this.running.has(key)) throw new AssistantError('AlreadyRunning', `${task.id} is already running on ${note.uri}`);
    this.running.add(key);
    if (!options.background) this.setForeground(+1);
    // Closing the note, or reverting it under our streamed text, cancels the run.
    const { controller, dispose } = linkedSignal(options.signal);
    const closeSub = options.editor?.onDidClose(() => controller.abort());
    try {
      return await this.runTask(request, { ...options, signal: controller.signal }, () => controller.abort());
    } finally {
      closeSub?.dispose();
      dispose();
      this.running.delete(key);
      if (!options.background) this.setForeground(-1);
    }
  }

  private setForeground(delta: number): void {
    this.foreground += delta;
    for (const listener of [...this.activityListeners]) listener();
  }

  /** The inserting tasks' one code path, top to bottom. */
  private async runTask(request: TaskRequest, options: RunOptions, cancel: () => void): Promise<TaskOutcome> {
    const { note } = request;
    const { signal, editor } = options;
    const started = this.clock.now();
    const args = request.args ?? {};
    const settings = this.init.settings(note.uri);
    const config = options.maxParallelRequests ? { ...settings, concurrency: Math.max(1, options.maxParallelRequests) } : settings;
    const text = note.getText();
    // Templates first: a task that names a template validates it before anything else happens.
    const prompts = await this.prompts(note.uri, config);
    const prepared = TASKS[request.task].prepare({ request, args, text, parse: this.parse, config, paperLinks: this.links(note), prompts });
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
      const hits = prepared.library ? await this.retrieve(note, prepared.library.query, prepared.library.limit, signal) : undefined;
      const chosen = prepared.choose(collected, {
        language,
        labels,
        noteTitle,
        ...(hits ? { passages: hits.passages, passagesInOtherLanguage: hits.otherLanguage } : {}),
      });
      const sources = chosen.sources;
      const fixed = chosen.answer;
      if (fixed === undefined) checkInput(request.task, sources, this.parse);
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
        parse: this.parse,
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
          : await planBlock(insertion, signal);
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
  private retrieve(note: NoteDocument, query: string, limit: number | undefined, signal: AbortSignal): Promise<LibraryHits> {
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
    const passages = scope === 'library' && query ? (await this.retrieve(note, query, undefined, options.signal)).passages : [];
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

  embedder(signal: AbortSignal, config?: AssistantConfig): Promise<Embedder | undefined> {
    // A host's own provider may not embed; then the core's connects through the host's transport.
    const provider = this.llm.embedder ? this.llm : (this.embeddingProvider ??= createLlmProvider(this.init.ports.transport, this.logger));
    return provider.embedder!(config ?? this.init.settings(), signal);
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
      // Vectors when the server offers an embedding model; a server that does not answer leaves the index lexical.
      embedder: () => this.embedder(AbortSignal.timeout(120_000)),
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
