/**
 * The shared generation pipeline: measure the prompt against the usable context, and when the
 * sources do not fit, map each part (along the sources' own sections) to notes concurrently up to
 * the server's parallel slots, then run the task on the notes. Nothing is ever
 * cut silently. Every request and every part is cached.
 */
import { AssistantError, hasErrorCode, throwIfAborted } from '../errors';
import { estimateMessageTokens, estimateTokens, type TokenEstimate } from '../llm/tokens';
import type { ChatMessage, ChatResult } from '../llm/types';
import { renderPrompt, type PromptTemplate } from '../prompts/promptTemplate';
import { formatSource } from '../prompts/sourceBlock';
import { messagesInput } from '../results/resultCache';
import { splitSource } from '../sources/split';
import type { Source, SourceSection } from '../sources/types';
import type { ActionContext, ActionResult, TextSink } from './context';
import { withoutOwnBlocks } from './ownBlocks';

/** Tokens kept free for estimate error and chat-template overhead. */
export function safetyMargin(contextLength: number): number {
  return Math.max(64, Math.round(contextLength * 0.05));
}

export function maxOutputFor(ctx: ActionContext, template: PromptTemplate): number {
  return Math.min(template.maxTokens ?? ctx.config.maxOutputTokens, ctx.config.maxOutputTokens);
}

export function concurrencyFor(ctx: ActionContext): number {
  const c = ctx.config.concurrency;
  return Math.max(1, c === 'auto' ? ctx.session.info.parallelSlots : c);
}

/**
 * Whether the messages fit: the estimate decides clear cases; near the limit the server's count decides
 * (the count is a round trip, so asking only near the limit keeps the overhead before the first request byte small).
 */
async function fits(ctx: ActionContext, messages: readonly ChatMessage[], maxOutput: number, estimate: TokenEstimate): Promise<boolean> {
  const limit = ctx.session.info.contextLength - maxOutput - safetyMargin(ctx.session.info.contextLength);
  // The same figure the session checks before sending (`budget`), so a prompt judged to fit is not refused by it.
  if (estimate.budget < limit * 0.8) return true;
  if (estimate.budget > limit * 1.5) return false;
  const counted = await ctx.session.countTokens(messages, ctx.signal);
  return counted.count <= limit;
}

/** The sources as they are sent: readable ones with text, the assistant's own blocks left out. */
export function sendableSources(sources: readonly Source[]): Source[] {
  return canonicalOrder(sources.map(withoutOwnBlocks).filter((s) => s.status === 'ok' && s.text.trim().length > 0));
}

/** A part of the input for the map step: some sections of one source. */
export interface InputPart {
  readonly source: Source;
  readonly sections: readonly SourceSection[];
}

/** The parts of one source along its own structure (sources/split.ts), as map-step inputs. */
function sourceParts(source: Source, maxTokens: number, includeReferences = false): InputPart[] {
  const parts = splitSource(source, { budgetTokens: maxTokens, includeReferences });
  // A source with only a references section is still sent (nothing is dropped silently).
  if (parts.length === 0 && !includeReferences) return sourceParts(source, maxTokens, true);
  return parts.map((p) => ({ source, sections: p.sections }));
}

/** Groups sources' body sections into parts of at most `maxTokens`, keeping section order and source boundaries. */
export function splitIntoParts(sources: readonly Source[], maxTokens: number): InputPart[] {
  return sources.flatMap((source) => sourceParts(source, maxTokens));
}

/** A part the server refused after all: its sections in two halves, or a single section split again at half the size. */
function halve(part: InputPart): InputPart[] {
  if (part.sections.length > 1) {
    const mid = Math.ceil(part.sections.length / 2);
    return [
      { source: part.source, sections: part.sections.slice(0, mid) },
      { source: part.source, sections: part.sections.slice(mid) },
    ];
  }
  const only = part.sections[0];
  const tooSmall = (): AssistantError =>
    new AssistantError('ContextTooLarge', 'A single part is too large for the context even after splitting');
  if (!only || only.text.length < 400) throw tooSmall();
  const halves = sourceParts({ ...part.source, text: only.text, sections: [only] }, Math.ceil(estimateTokens(only.text) / 2), true);
  if (halves.length < 2) throw tooSmall();
  return halves.map((h) => ({ source: part.source, sections: h.sections }));
}

/** Runs `worker` over items with at most `limit` in flight, preserving result order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: unknown;
  const run = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const i = next;
      next += 1;
      try {
        results[i] = await worker(items[i] as T, i);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  if (failed !== undefined) throw failed instanceof Error ? failed : new Error(String(failed));
  return results;
}

export interface Counter {
  requests: number;
  cached: number;
  warnings: string[];
}

function isOverflow(error: unknown): boolean {
  return hasErrorCode(error, 'ContextTooLarge');
}

/**
 * A request's output limit and temperature, and its result-cache key: the template (id and version), the model,
 * everything else that changes the answer (`params`), and the exact messages.
 */
async function requestKey(
  ctx: ActionContext,
  template: PromptTemplate,
  messages: readonly ChatMessage[],
  params: Readonly<Record<string, unknown>>,
): Promise<{ maxTokens: number; temperature: number; key: string }> {
  const maxTokens = maxOutputFor(ctx, template);
  const temperature = template.temperature ?? ctx.config.temperature;
  const key = await ctx.cache.key({
    templateId: template.id,
    templateVersion: template.version,
    model: ctx.session.info.model,
    params: { maxTokens, temperature, ...params },
    input: messagesInput(messages),
  });
  return { maxTokens, temperature, key };
}

/** Map step: one part to structured notes (cached per part, so a cancelled run resumes). */
async function mapPart(
  ctx: ActionContext,
  notesTemplate: PromptTemplate,
  part: InputPart,
  label: string,
  values: Readonly<Record<string, string>>,
  counter: Counter,
): Promise<string[]> {
  const sourceText = formatSource(part.source, part.sections, `${part.source.title} — ${label}`);
  const messages = renderPrompt(notesTemplate, { ...values, sources: sourceText });
  const { maxTokens, temperature, key } = await requestKey(ctx, notesTemplate, messages, values);
  const hit = await ctx.cache.get(key);
  if (hit) {
    counter.cached += 1;
    return [hit.text];
  }
  throwIfAborted(ctx.signal);
  try {
    counter.requests += 1;
    const result = await ctx.session.complete({ messages, maxTokens, temperature }, ctx.signal);
    counter.warnings.push(...result.warnings);
    if (result.finishReason === 'length') counter.warnings.push(`notes for ${label} hit the output limit`);
    await ctx.cache.set(key, { text: result.text, model: result.model, createdAt: Date.now() });
    return [result.text];
  } catch (error) {
    // The server says the part does not fit after all: split and retry: an overflow is never a failure for the user.
    if (!isOverflow(error)) throw error;
    ctx.logger.info(`Context overflow on ${label}: splitting and retrying`);
    const halves = halve(part);
    const out: string[] = [];
    for (const [i, h] of halves.entries()) out.push(...(await mapPart(ctx, notesTemplate, h, `${label}.${i + 1}`, values, counter)));
    return out;
  }
}

export interface RunOptions {
  /** The task's template. Its `sources` variable receives the delimited sources (or the notes of the parts). */
  readonly template: PromptTemplate;
  /** Values for every variable except `sources`. */
  readonly values: Readonly<Record<string, string>>;
  readonly sources: readonly Source[];
  /** What the map step should keep from each part, e.g. "the question: …" (empty for a summary). */
  readonly focus: string;
  /** Streams the answer (markdown output); json output uses completeJson directly in its action. */
  readonly sink: TextSink;
}

/** Streams one request, with the cache in front. */
async function generate(
  ctx: ActionContext,
  template: PromptTemplate,
  messages: ChatMessage[],
  params: Readonly<Record<string, unknown>>,
  sink: TextSink,
  counter: Counter,
  estimate?: TokenEstimate,
): Promise<{ text: string; model: string; finishReason: 'stop' | 'length'; fromCache: boolean }> {
  const { maxTokens, temperature, key } = await requestKey(ctx, template, messages, params);
  const hit = await ctx.cache.get(key);
  if (hit) {
    sink(hit.text);
    return { text: hit.text, model: hit.model, finishReason: 'stop', fromCache: true };
  }
  throwIfAborted(ctx.signal);
  counter.requests += 1;
  const stream = ctx.session.stream({ messages, maxTokens, temperature, ...(estimate ? { estimate } : {}) }, ctx.signal);
  // Consume `result` early so a rejection is never unhandled while we iterate.
  const settled = stream.result.then(
    (r): { ok: true; r: ChatResult } => ({ ok: true, r }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  for await (const delta of stream) sink(delta);
  const outcome = await settled;
  if (!outcome.ok) throw outcome.e;
  const result = outcome.r;
  counter.warnings.push(...result.warnings);
  // A truncated answer is not cached: the next run should get the chance to finish.
  if (result.finishReason === 'stop') await ctx.cache.set(key, { text: result.text, model: result.model, createdAt: Date.now() });
  return { text: result.text, model: result.model, finishReason: result.finishReason, fromCache: false };
}

/**
 * The `sources` value for a task: the delimited sources when the prompt fits, else the delimited
 * notes of each part (map step, concurrent up to the server's slots, cached per part).
 */
export async function prepareSources(
  ctx: ActionContext,
  template: PromptTemplate,
  values: Readonly<Record<string, string>>,
  sources: readonly Source[],
  focus: string,
  counter: Counter,
  forceSplit = false,
): Promise<{
  readonly sourcesText: string;
  readonly parts: number;
  readonly messages?: ChatMessage[];
  readonly estimate?: TokenEstimate;
}> {
  const usable = sendableSources(sources);
  if (usable.length === 0) throw new AssistantError('NoInput', 'No readable source text to send');
  const sourcesText = usable.map((s) => formatSource(s)).join('\n\n');
  if (!forceSplit) {
    // The prompt measured is the prompt sent: returned, so it is neither rendered nor estimated again.
    const messages = renderPrompt(template, { ...values, sources: sourcesText });
    const estimate = estimateMessageTokens(messages);
    if (await fits(ctx, messages, maxOutputFor(ctx, template), estimate)) return { sourcesText, parts: 1, messages, estimate };
  }

  // Map: parts sized so the notes prompt fits with its own output reserve.
  const notesTemplate = ctx.prompts.get('notes');
  const noteValues = { focus: focus || 'everything a structured summary needs', language: values.language ?? '' };
  const notesOverhead = estimateMessageTokens(renderPrompt(notesTemplate, { ...noteValues, sources: '' })).budget;
  const info = ctx.session.info;
  const partBudget = info.contextLength - maxOutputFor(ctx, notesTemplate) - safetyMargin(info.contextLength) - notesOverhead - 50;
  if (partBudget < 200)
    throw new AssistantError(
      'ContextTooLarge',
      `The usable context (${info.contextLength} tokens) is too small to process the input in parts`,
      { data: { contextLength: info.contextLength } },
    );
  const parts = splitIntoParts(usable, partBudget);
  let done = 0;
  ctx.progress.report(`part 0/${parts.length}`, 0);
  const notes = await mapConcurrent(parts, concurrencyFor(ctx), async (part, i) => {
    const out = await mapPart(ctx, notesTemplate, part, `part ${i + 1}/${parts.length}`, noteValues, counter);
    done += 1;
    ctx.progress.report(`part ${done}/${parts.length}`, done / (parts.length + 1));
    return out.join('\n\n');
  });
  ctx.logger.info(`Map step: ${parts.length} parts, ${counter.requests} requests, ${counter.cached} from cache`);
  ctx.progress.report(`combining ${parts.length} parts`, parts.length / (parts.length + 1));
  const noteSources = notes.map((text, i) => {
    const part = parts[i] as InputPart;
    const title = `${part.source.title.replace(/"/g, "'")} — notes of part ${i + 1}/${parts.length}`;
    const body = text.replace(/<\/?source\b/gi, (m) => m.replace('<', '‹'));
    return `<source id="${part.source.id}" title="${title}">\n${body}\n</source>`;
  });
  return { sourcesText: noteSources.join('\n\n'), parts: parts.length };
}

/**
 * Sources in the order that lets the server reuse its prompt cache across actions: linked papers first, by id
 * (whatever order the note links them in), so Summarize, Ask and Explain on the same paper begin with the same
 * tokens; the note and the selection last, because they change with every inserted answer.
 */
export function canonicalOrder(sources: readonly Source[]): Source[] {
  const changing = (s: Source): boolean => s.kind === 'note' || s.kind === 'selection';
  const stable = sources.filter((s) => !changing(s)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...stable, ...sources.filter(changing)];
}

export function newCounter(): Counter {
  return { requests: 0, cached: 0, warnings: [] };
}

/** The full pipeline for a markdown task: direct when the sources fit, map-reduce when they do not. */
export async function runMarkdownTask(ctx: ActionContext, options: RunOptions): Promise<ActionResult> {
  const { template, values, sources, sink } = options;
  const counter = newCounter();
  let prepared = await prepareSources(ctx, template, values, sources, options.focus, counter);
  let messages = prepared.messages ?? renderPrompt(template, { ...values, sources: prepared.sourcesText });
  let r;
  try {
    r = await generate(ctx, template, messages, values, sink, counter, prepared.messages ? prepared.estimate : undefined);
  } catch (error) {
    // The server's own count disagreed with ours: force the map step and retry once (never a failure).
    if (!isOverflow(error) || prepared.parts > 1) throw error;
    ctx.logger.info('Server reported a context overflow: switching to map-reduce');
    prepared = await prepareSources(ctx, template, values, sources, options.focus, counter, true);
    messages = renderPrompt(template, { ...values, sources: prepared.sourcesText });
    r = await generate(ctx, template, messages, values, sink, counter);
  }
  return {
    ...r,
    fromCache: r.fromCache && counter.requests === 0,
    warnings: counter.warnings,
    requests: counter.requests,
    parts: prepared.parts,
  };
}
