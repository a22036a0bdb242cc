/**
 * The host-neutral core: no `vscode`, no Node built-ins (enforced by ESLint and `npm run check:core`).
 * Adapters (src/vscode today) implement the ports and call in through this entry only.
 */
// The façade: one assistant per host, its ports and the types a host renders.
export {
  createAssistant,
  EXTRACTION_AREA,
  RESULTS_AREA,
  type Assistant,
  type AssistantInit,
  type AssistantPorts,
  type RunOptions as AssistantRunOptions,
  type TaskOutcome,
  type PreviewOptions,
  type PreviewOutcome,
  type RunActivity,
} from './assistant';
export { TASK_IDS, type TaskId, type TaskRequest, type TaskArgs } from './tasks/task';
export {
  previewContext,
  renderContextPreview,
  PREVIEW_QUESTION,
  type ContextPreview,
  type ContextPart,
  type ContextPreviewInput,
} from './actions/contextPreview';
export { termAt, wordAt } from './tasks/explainTerm';
export { findRelated, paragraphAt, type RelatedOptions, type RelatedPaper, type RelatedResult } from './tasks/findRelated';
export {
  linkInSyntax,
  noteLinkSyntax,
  inOtherLanguage,
  relevantPassages,
  type LinkSyntax,
  type PassageSource,
} from './tasks/libraryContext';
export type * from './library/types';
export { createLlmProvider } from './llmProvider';
export { rememberingProvider, REMEMBERED_SESSION_MS, type RememberingProvider } from './llm/rememberedSession';
export type { DocumentEditor, DocumentChange, Disposable } from './ports/documentEditor';
export { systemClock, sleep, type Clock, type TimerHandle } from './ports/clock';
export type { StoreProvider, StoreArea } from './ports/store';
export type { LlmProvider, LlmTransport } from './ports/llm';
export {
  streamIntoEditor,
  BATCH_MS,
  REVERT_PAUSE_MS,
  type InsertedBlock,
  type BatchTiming,
  type StreamIntoEditorOptions,
} from './insertion/streamInsertion';
export { InMemoryDocumentEditor, type InMemoryEditorOptions } from './insertion/memoryEditor';
export {
  sourceIds,
  type BlockGrounding,
  type CheckedBlock,
  type GroundingReport,
  type NoteCheck,
  type NoteCheckOptions,
} from './grounding/noteGrounding';
export * from './errors';
export * from './config';
export { redact } from './redact';
export type { Logger } from './ports/logger';
export { nullLogger } from './ports/logger';
export type { ProgressReporter } from './ports/progress';
export { nullProgress } from './ports/progress';
export type { NoteDocument, OffsetRange } from './ports/document';
export type { FileReader, FileStamp, KeyValueStore } from './ports/files';
export type {
  ServerKind,
  ServerInfo,
  ChatMessage,
  ChatRequest,
  ChatUsage,
  ChatResult,
  ChatStream,
  TokenCount,
  LlmSession,
} from './llm/types';
export { connect, discoverModels, type ConnectOptions, type ConnectedSession } from './llm/session';
export type { ModelEntry, DetectedServer } from './llm/discovery';
export { FALLBACK_CONTEXT, OLLAMA_CONTEXT_CAP } from './llm/discovery';
export { serverPresentation, type ServerPresentation } from './llm/dialects';
export { connectEmbedder, EMBEDDING_OFF, type EmbedderOptions } from './llm/embeddings';
export { parseEndpoint, isLoopbackHost } from './llm/endpoint';
export { estimateMessageTokens, estimateTextTokens, estimateTokens } from './llm/tokens';
export { parseLenientJson } from './llm/lenientJson';
export { stripThink } from './llm/thinkFilter';
// Sources: reading a note and what it links to.
export type { Source, SourceKind, SourceStatus, SourceLocation, SourceSection, SourceLink } from './sources/types';
export type { SourceReader, CollectOptions, CollectedSources, LinkStatus } from './sources/reader';
export {
  DefaultSourceReader,
  DEFAULT_LIMITS,
  kindOf,
  type SourceReaderDeps,
  type SourceLimits,
  type PdfTextExtractor,
} from './sources/sourceReader';
export { SourceFileReader, type SourceFileReaderDeps, type ReadSourceOptions, type ReadTarget } from './sources/readers';
export { LinkResolver, type LinkResolverDeps, type LinkTarget } from './sources/linkResolver';
export { splitSource, type SourcePart, type SplitOptions } from './sources/split';
export type { BibEntry, BibAttachment, BibtexParser } from './sources/bibliography';
export type { WorkspaceIndex } from './ports/files';
export type { PromptSource } from './ports/prompts';
export type { NoteLink, LinkAnchor, LinkForm } from './markdown/links';
export { parseNote, NoteParser, type ParsedNote, type NoteHeading } from './markdown/parseNote';
export {
  ExtractionCache,
  InMemoryKeyValueStore,
  contentHash,
  EXTRACTION_VERSION,
  type ContentHasher,
  type ExtractionCacheOptions,
} from './cache/extractionCache';
export type { PdfExtraction, PdfExtractOptions, PdfPageItems, PdfTextItem } from './pdf/types';
export { layoutPdf } from './pdf/layout';
// Prompt templates, the task results and block types a host reads; the tasks themselves run through createAssistant.
export { parsePromptTemplate, renderPrompt, missingVariables, type PromptTemplate, type PromptOutput } from './prompts/promptTemplate';
export { PromptLibrary, type PromptFile, type PromptLoadError } from './prompts/promptLibrary';
export { formatSource, formatSources, formatLocator } from './prompts/sourceBlock';
export type { ActionContext, ActionResult, TextSink } from './actions/context';
export { summarize, type SummarizeInput } from './actions/summarize';
export { ask, type AskInput } from './actions/ask';
export { RUN_PROMPT_VARIABLES } from './actions/runPrompt';
export { renderBlock, type BlockSpec } from './insertion/block';
export { findBlocks, isoDate, type BlockKind, type BlockAttributes, type FoundBlock } from './insertion/markers';
export type { TrackedRange, ContentChange } from './insertion/anchor';
export { applyEdits, type TextEditOp, type EditPlan } from './insertion/editPlan';
export type { TableRow, TableCell } from './insertion/table';
export { detectLanguage, resolveLanguage, type ResolvedLanguage } from './language';
export { SizeBound, WRITES_PER_SCAN } from './cache/sizeBound';
export { ResultCache, sha256Hex, type CachedResult, type TextHasher } from './results/resultCache';
// Grounding results as hosts render them.
export {
  findResearchBlocks,
  blockAt,
  CELL_WARNING,
  QUOTE_SIMILARITY_THRESHOLD,
  GROUNDING_TEMPLATES,
  groundingMessage,
  matchPlace,
  type Translate,
  type GroundingIndex,
  type GroundingItem,
  type GroundingResult,
  type SourceMatch,
  type BlockCheckResult,
  type NoteBlockCheck,
  type ResearchBlock,
} from './grounding';
// Batch reading: a folder of papers into per-paper notes and a literature matrix, through a persistent queue.
export {
  runBatch,
  progressText,
  fallbackMetadata,
  type BatchDeps,
  type BatchRequest,
  type BatchProgress,
  type BatchSummary,
  type PaperFailure,
} from './batch/runner';
export { QUEUE_FILE, joinUri, fileQueueStore, type BatchFiles } from './batch/files';
export { BatchQueue, parseQueue, type QueueEntry, type QueueStore, type PaperState } from './batch/queue';
export { MATRIX_FILE } from './batch/matrix';
export type { PaperMetadata, MetadataOrigin } from './batch/metadata';
// The library's search engine and the port it stores through.
export { LibraryIndex, type FileVectors, type SaveOptions } from './library/libraryIndex';
export { MemoryLibraryStore, type LibraryStore } from './ports/libraryStore';
// The library: passages of the workspace's papers and notes, kept current by content hash.
export { createLibrary, type LibraryDeps, type LibraryService } from './library/library';
export { engineChunkIndex, type ChunkIndex } from './library/chunkIndex';
export { chunkSource, type ChunkOptions } from './library/chunk';
export type { LibraryScope } from './library/discover';
export type {
  Chunk,
  Embedder,
  FileRecord,
  FileState,
  Library,
  LibraryStatus,
  Passage,
  SearchOptions,
  UpdateOptions,
} from './library/types';
