/**
 * A task descriptor says what an inserting task reads, where its block goes and how it generates; one
 * runner (run.ts) does the rest the same way for every task: connect, load templates, read the sources,
 * generate through the result cache, insert, check grounding.
 */
import type { ActionContext, ActionResult, TextSink } from '../actions/context';
import type { AssistantConfig } from '../config';
import type { ResolvedLanguage, blockLabels } from '../language';
import type { NoteLink } from '../markdown/links';
import type { BlockSpec } from '../insertion/block';
import { afterSelection, wholeNotePlacement, type NoteParse, type Placement } from '../insertion/placement';
import type { BlockKind } from '../insertion/markers';
import type { NoteDocument, OffsetRange } from '../ports/document';
import type { PromptLibrary } from '../prompts/promptLibrary';
import type { CollectedSources } from '../sources/reader';
import type { Source } from '../sources/types';
import type { PassageSource } from './libraryContext';

export type TaskId = 'summarize' | 'summarizePaper' | 'compare' | 'explainTerm' | 'ask' | 'draft' | 'runPrompt' | 'askLibrary';

export const TASK_IDS: readonly TaskId[] = [
  'summarize',
  'summarizePaper',
  'compare',
  'explainTerm',
  'ask',
  'draft',
  'runPrompt',
  'askLibrary',
];

export interface TaskArgs {
  /** summarizePaper: the link as written (`[[paper.pdf]]`) or its target; default the link at the cursor. */
  readonly link?: string;
  /** ask (required); runPrompt templates that use `{{question}}`. */
  readonly question?: string;
  /** explainTerm: the term (default the selection or the word at the cursor); runPrompt `{{term}}`. */
  readonly term?: string;
  /** compare: the table's columns (default the compareColumns setting). */
  readonly columns?: readonly string[];
  /** draft: the heading to write under (default the selection, or the line or heading at the cursor). */
  readonly heading?: string;
  /** runPrompt: the template id. */
  readonly promptId?: string;
  /** Skip cached results (they are still written). */
  readonly regenerate?: boolean;
  /** ask, draft: `library` draws on passages found in the whole library besides the linked papers. */
  readonly scope?: 'linked' | 'library';
}

export interface TaskRequest {
  readonly task: TaskId;
  readonly note: NoteDocument;
  /** The user's non-empty selection, as offsets. */
  readonly selection?: OffsetRange;
  /**
   * The cursor offset, when the note is shown in an editor. Without it whole-note results go at the end
   * of the note.
   */
  readonly cursor?: number;
  readonly args?: TaskArgs;
}

/** What a task sees when it is prepared (before any connection or file read). */
export interface TaskInput {
  readonly request: TaskRequest;
  readonly args: TaskArgs;
  readonly text: string;
  /** Parses note text through the assistant's NoteParser: the note's parse is made once per text and shared. */
  readonly parse: NoteParse;
  readonly config: AssistantConfig;
  /** The note's links to papers and notes the readers can read, in note order. */
  readonly paperLinks: readonly NoteLink[];
  /** The templates for this note (built-ins and the user's). */
  readonly prompts: PromptLibrary;
}

/** Which sources a task reads. */
export interface SourceScope {
  readonly links: 'all' | 'none' | OffsetRange;
  /** The selection (when there is one) stands for the note. */
  readonly useSelection: boolean;
}

/** What the runner needs once the server is connected and the templates are loaded. */
export interface TaskEnv {
  readonly ctx: ActionContext;
  readonly language: ResolvedLanguage;
  readonly labels: ReturnType<typeof blockLabels>;
  /** The note's path relative to its workspace folder. */
  readonly noteTitle: string;
}

/** What choosing the sources may use (no connection yet). */
export type ChooseEnv = Omit<TaskEnv, 'ctx'> & {
  /** The library passages found for the task's `library` query, relevant ones only, best first. */
  readonly passages?: readonly PassageSource[];
  /** No passage was relevant because those found are in another language than the query. */
  readonly passagesInOtherLanguage?: boolean;
};

/** The sources a task sends and the block title that names them. */
export interface ChosenSources {
  readonly sources: readonly Source[];
  readonly title: string;
  /** Replaces the prepared target when it depends on the text read (a summary of a selection). */
  readonly target?: string;
  /** A fixed answer that needs no model (nothing relevant in the library): no connection, no request. */
  readonly answer?: string;
}

export interface PreparedTask {
  readonly kind: BlockKind;
  /** Finds the task's own block again on a re-run (same kind and target: replaced in place). */
  readonly target: string;
  /** Where a new block goes (the rules are in insertion/placement.ts). */
  readonly placement: Placement;
  readonly scope: SourceScope;
  /** Forces the plain style (tables). */
  readonly style?: BlockSpec['style'];
  /** Explain Term in footnote style: the edit plan is a footnote reference at `at` and its definition. */
  readonly footnote?: { readonly term: string; readonly at: OffsetRange };
  /** Search the library for this before choosing (the passages reach `choose`). */
  readonly library?: { readonly query: string; readonly limit?: number };
  /** Picks the sources to send; runs before connecting, so it sees no session. */
  choose(collected: CollectedSources, env: ChooseEnv): ChosenSources;
  generate(env: TaskEnv, sources: readonly Source[], sink: TextSink): Promise<ActionResult>;
}

export interface TaskDescriptor {
  readonly id: TaskId;
  /** Validates the request and decides target, anchor and scope; throws NoInput for missing input. */
  prepare(input: TaskInput): PreparedTask;
}

/** A short stable hash for block targets (selection text, questions). */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** Links that point at papers or notes the readers can read (PDF, markdown, text, citekeys), in note order. */
export function isPaperLink(l: NoteLink): boolean {
  return (
    !l.external && (l.citekey !== undefined || /\.(pdf|md|markdown|txt|tex|html?)$/i.test(l.target) || !/\.[a-z0-9]+$/i.test(l.target))
  );
}

/** The selected text, or '' without a selection. */
export function selectedText(input: TaskInput): string {
  const s = input.request.selection;
  return s ? input.text.slice(s.start, s.end) : '';
}

/** Where a block goes by default: after the block holding the selection's end, else as a whole-note result. */
export function defaultPlacement(input: TaskInput): Placement {
  const selection = input.request.selection;
  return selection ? afterSelection(selection) : wholeNotePlacement(input.text, input.request.cursor, input.parse);
}

/** The note and its linked sources, in that order. */
export function noteAndLinked(collected: CollectedSources): readonly Source[] {
  return [collected.note, ...collected.sources];
}
