/**
 * Preview Context: the request Ask About Note would send for a note — the same template, the same
 * sources without the assistant's own blocks, the same source delimiters — with tokens per part, so
 * what the user reads and counts is what goes to the server. Nothing is sent.
 */
import type { ResolvedLanguage } from '../language';
import { languageInstruction } from '../language';
import { estimateMessageTokens, estimateTokens } from '../llm/tokens';
import type { ChatMessage } from '../llm/types';
import type { PromptTemplate } from '../prompts/promptTemplate';
import { renderPrompt } from '../prompts/promptTemplate';
import { formatSource } from '../prompts/sourceBlock';
import type { Source } from '../sources/types';
import { citationList } from './citations';
import { safetyMargin, sendableSources } from './pipeline';

/** Stands in for the question Ask About Note would ask. */
export const PREVIEW_QUESTION = '(your question)';

export interface ContextPart {
  /** `instructions` (the template's own text), or a source as delimited in the request. */
  readonly kind: 'instructions' | 'source';
  readonly label: string;
  readonly tokens: number;
  readonly sourceId?: string;
}

export interface ContextPreview {
  /** The messages exactly as they would be sent. */
  readonly messages: readonly ChatMessage[];
  readonly parts: readonly ContextPart[];
  /** The estimate the request is measured by before it is sent. */
  readonly totalTokens: number;
  /** Usable context of the model, when known. */
  readonly usableContext?: number;
  /** Tokens the prompt may take: the usable context less the reserved answer and a safety margin. */
  readonly promptLimit?: number;
  /** Sources not sent: unreadable ones, and the ones the user left out. */
  readonly leftOut: readonly Source[];
}

export interface ContextPreviewInput {
  readonly template: PromptTemplate;
  readonly language: ResolvedLanguage;
  /** The note (or selection) first, then its linked sources, in the order a task sends them. */
  readonly sources: readonly Source[];
  /** Source ids the user left out. */
  readonly exclude?: readonly string[];
  readonly usableContext?: number;
  /** Tokens reserved for the answer. */
  readonly maxOutput: number;
  /** The question, when known (the library scope retrieves passages for it); else a placeholder. */
  readonly question?: string;
}

export function previewContext(input: ContextPreviewInput): ContextPreview {
  const excluded = new Set(input.exclude ?? []);
  const chosen = input.sources.filter((s) => !excluded.has(s.id));
  const sent = sendableSources(chosen);
  const sentIds = new Set(sent.map((s) => s.id));
  const blocks = sent.map((s) => formatSource(s));
  const messages = renderPrompt(input.template, {
    question: input.question ?? PREVIEW_QUESTION,
    citations: citationList(sent),
    language: languageInstruction(input.language),
    sources: blocks.join('\n\n'),
  });
  const totalTokens = estimateMessageTokens(messages).budget;
  const sourceParts: ContextPart[] = sent.map((s, i) => ({
    kind: 'source',
    label: s.title === s.id ? s.id : `${s.title} (${s.id})`,
    tokens: estimateTokens(blocks[i] ?? ''),
    sourceId: s.id,
  }));
  const sourceTokens = sourceParts.reduce((n, p) => n + p.tokens, 0);
  const parts: ContextPart[] = [
    { kind: 'instructions', label: 'Instructions and question', tokens: Math.max(0, totalTokens - sourceTokens) },
    ...sourceParts,
  ];
  const usable = input.usableContext;
  return {
    messages,
    parts,
    totalTokens,
    ...(usable ? { usableContext: usable, promptLimit: usable - input.maxOutput - safetyMargin(usable) } : {}),
    leftOut: input.sources.filter((s) => !sentIds.has(s.id)),
  };
}

/** A fence longer than any run of backticks in the text, so a note's own code blocks cannot close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

const n = (value: number): string => value.toLocaleString('en-US');

/** The preview as a markdown document: totals, a table of parts, then each message verbatim. */
export function renderContextPreview(preview: ContextPreview, noteTitle: string): string {
  const lines: string[] = [`# Context preview: ${noteTitle}`, ''];
  lines.push(
    preview.usableContext
      ? `**${n(preview.totalTokens)} tokens** of ${n(preview.usableContext)} usable ` +
          `(${n(preview.promptLimit ?? 0)} for the prompt after the answer's reserve): ` +
          (preview.totalTokens <= (preview.promptLimit ?? 0) ? 'sent in one request.' : 'too long for one request, so it is sent in parts.')
      : `**${n(preview.totalTokens)} tokens** (usable context unknown until a server is connected).`,
  );
  lines.push('', 'This is what Ask About Note sends with the sources below; nothing has been sent.', '');
  lines.push('| Part | Tokens |', '| --- | ---: |');
  for (const p of preview.parts) lines.push(`| ${p.label.replace(/\|/g, '\\|')} | ${n(p.tokens)} |`);
  lines.push(`| **Total** | **${n(preview.totalTokens)}** |`, '');
  if (preview.leftOut.length > 0) {
    lines.push('Not sent:', '');
    for (const s of preview.leftOut) lines.push(`- ${s.id}${s.status === 'ok' ? ' (left out)' : ` (${s.status})`}`);
    lines.push('');
  }
  preview.messages.forEach((m, i) => {
    const f = fence(m.content);
    lines.push(`## Message ${i + 1}: ${m.role} (${n(estimateTokens(m.content))} tokens)`, '', `${f}text`, m.content, f, '');
  });
  return lines.join('\n');
}
