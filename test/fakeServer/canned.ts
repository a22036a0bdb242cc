/**
 * Canned, deterministic "model output" derived from the prompt, for tests and the demo that do not
 * script a reply. It quotes real sentences from the last user message (so grounding checks can pass)
 * and always says it is canned, so nobody mistakes it for a model's answer.
 */
import type { TemplateMessage } from './tokenizer';

export type JsonSchema = Record<string, unknown>;

// Sentences that look like the extension's own instructions rather than the user's note.
const INSTRUCTION =
  /\b(summari[sz]e|you are|you must|respond|answer in|answer with|return|output|do not|don't|markdown|json|schema|format|instructions?|the following|below|above)\b/i;
const SKIP_LINE = /^\s*(#|\||```|~~~|<|---|===|!\[|\[\^|\$\$)/;

export interface Quote {
  text: string;
  /** The nearest preceding `[p. 3, § Methods]` locator of the source, without brackets. */
  locator?: string;
}

// Section titles can be long (a paper's title heads its first page): a locator is any bracketed run up to 200 characters.
const LOCATOR = /\[((?:p\.|pp\.|§|page|sec)[^\]\n]{0,200})\]/gi;

/** A locator short enough for a citation: a long section title gives way to the page ("p. 1"), or is cut at a word. */
export function citedLocator(locator: string): string {
  if (locator.length <= 40) return locator;
  const page = /\b(?:pp?\.|page)\s*\d+(?:\s*[-–]\s*\d+)?/iu.exec(locator)?.[0];
  if (page) return page;
  return `${locator.slice(0, 40).replace(/\s+\S*$/u, '')}…`;
}

/** Candidate sentences of a text, in order, cleaned of list markers, emphasis and locators. */
export function quotesOf(text: string): Quote[] {
  const out: Quote[] = [];
  let locator: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    // A locator anywhere on the line applies to the sentences after it (SKIPped lines still carry one).
    const found = [...line.matchAll(LOCATOR)];
    const lineLocator = found.length > 0 ? found[0]?.[1] : undefined;
    if (SKIP_LINE.test(line)) {
      if (found.length > 0) locator = found[found.length - 1]?.[1];
      continue;
    }
    if (lineLocator) locator = lineLocator;
    const cleaned = line
      .replace(LOCATOR, ' ')
      .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')
      .replace(/[*_`]/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (!cleaned) continue;
    for (const s of cleaned.split(/(?<=[.!?])\s+|(?<=[。！？])/u)) {
      const sentence = s.trim();
      const cjk = (sentence.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu) ?? []).length;
      const len = Array.from(sentence).length;
      if ((len >= 20 && len <= 240) || (cjk >= 8 && len <= 160)) out.push(locator ? { text: sentence, locator } : { text: sentence });
    }
    if (found.length > 0) locator = found[found.length - 1]?.[1];
  }
  return out;
}

/** Candidate sentences (text only). */
export function sentencesOf(text: string): string[] {
  return quotesOf(text).map((q) => q.text);
}

/** Splits the last user message into the quoted material (inside <source> blocks, if any) and the instructions after it. */
function regions(messages: readonly TemplateMessage[]): { sources: string; task: string } {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const blocks = [...lastUser.matchAll(/<source\b[^>]*>([\s\S]*?)<\/source>/g)].map((m) => m[1] ?? '');
  if (blocks.length === 0) return { sources: lastUser, task: lastUser };
  return { sources: blocks.join('\n'), task: lastUser.slice(lastUser.lastIndexOf('</source>') + '</source>'.length) };
}

/** Up to `n` quotable sentences of the prompt's sources: sentences with numbers first, instructions avoided. */
export function pickQuoteObjects(messages: readonly TemplateMessage[], n = 2): Quote[] {
  const all = quotesOf(regions(messages).sources);
  const content = all.filter((q) => !INSTRUCTION.test(q.text));
  const pool = content.length > 0 ? content : all;
  const picked: Quote[] = [];
  const withNumber = pool.find((q) => /\d/.test(q.text));
  if (withNumber) picked.push(withNumber);
  for (const q of pool) {
    if (picked.length >= n) break;
    if (!picked.includes(q)) picked.push(q);
  }
  return picked.slice(0, n);
}

export function pickQuotes(messages: readonly TemplateMessage[], n = 2): string[] {
  return pickQuoteObjects(messages, n).map((q) => q.text);
}

/** Headings the task asks for (e.g. "#### Findings" lines after the sources), in order. */
function requestedHeadings(task: string): string[] {
  const lines = task.split(/\r?\n/).slice(-40);
  return lines.map((l) => /^(#{1,6} \S.*)$/.exec(l.trim())?.[1]).filter((h): h is string => h !== undefined && !h.includes('{{'));
}

/**
 * The default markdown answer: a short structured summary quoting the prompt. When the task names headings
 * (as the summarize prompts do) they are used, one quoted bullet under each, so format checks can pass.
 */
export function cannedMarkdown(messages: readonly TemplateMessage[], flavour: string, promptTokens: number): string {
  const headings = requestedHeadings(regions(messages).task);
  const quotes = pickQuoteObjects(messages, headings.length >= 2 ? Math.min(3, headings.length - 1) : 2);
  const bullet = (q: Quote): string => `- ${q.text}${q.locator ? ` (${citedLocator(q.locator)})` : ''}`;
  const note = `- Canned demo output from the fake ${flavour} server (${promptTokens} prompt tokens); no model was run.`;
  if (headings.length >= 2) {
    const parts = headings.map((h, i) => {
      const q = quotes.length > 0 ? quotes[i % quotes.length] : undefined;
      const body = i === headings.length - 1 ? note : q ? bullet(q) : '- Not stated in the sources.';
      return `${h}\n\n${body}`;
    });
    return `${parts.join('\n\n')}\n`;
  }
  const bullets = quotes.length > 0 ? quotes.map(bullet).join('\n') : '- The request contained no sentence to quote.';
  return ['## Summary (canned demo output)', '', bullets, '', '## Notes', '', note, ''].join('\n');
}

/** Deterministic "reasoning" for flavours/tests that enable thinking. */
export function cannedReasoning(messages: readonly TemplateMessage[]): string {
  const quotes = pickQuotes(messages, 1);
  return `The user wants an answer about their note. ${quotes.length > 0 ? 'I will quote it.' : 'There is little to quote.'} (canned reasoning)`;
}

/** A JSON value valid for `schema` (strings from the prompt's sentences, numbers 0, arrays one item). */
export function jsonForSchema(schema: JsonSchema | undefined, messages: readonly TemplateMessage[]): unknown {
  const quotes = pickQuotes(messages, 4);
  const strings = quotes.length > 0 ? quotes : ['canned demo output'];
  let next = 0;
  const nextString = (): string => strings[next++ % strings.length] as string;
  const root = schema ?? {};

  const resolve = (s: JsonSchema): JsonSchema => {
    const ref = s['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      let target: unknown = root;
      for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown> | undefined)?.[part];
      if (target && typeof target === 'object') return resolve(target as JsonSchema);
    }
    return s;
  };

  const build = (raw: unknown, depth: number): unknown => {
    if (!raw || typeof raw !== 'object' || depth > 12) return null;
    const s = resolve(raw as JsonSchema);
    if ('const' in s) return s['const'];
    if (Array.isArray(s['enum']) && s['enum'].length > 0) return s['enum'][0];
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const alts = s[key];
      if (Array.isArray(alts) && alts.length > 0) {
        const nonNull = alts.find((a) => !(a && typeof a === 'object' && (a as JsonSchema)['type'] === 'null')) ?? alts[0];
        if (key !== 'allOf') return build(nonNull, depth + 1);
        return build(Object.assign({}, ...alts.map((a) => resolve(a as JsonSchema))), depth + 1);
      }
    }
    let type = s['type'];
    if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
    if (type === undefined) type = s['properties'] ? 'object' : s['items'] ? 'array' : 'string';
    switch (type) {
      case 'object': {
        const props = (s['properties'] ?? {}) as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [key, sub] of Object.entries(props)) out[key] = build(sub, depth + 1);
        const required = Array.isArray(s['required']) ? (s['required'] as string[]) : [];
        for (const key of required) if (!(key in out)) out[key] = nextString();
        return out;
      }
      case 'array': {
        const min = typeof s['minItems'] === 'number' ? s['minItems'] : 1;
        const max = typeof s['maxItems'] === 'number' ? s['maxItems'] : Infinity;
        const count = Math.max(0, Math.min(Math.max(1, min), max));
        return Array.from({ length: count }, () => build(s['items'] ?? {}, depth + 1));
      }
      case 'number':
      case 'integer': {
        const min =
          typeof s['minimum'] === 'number' ? s['minimum'] : typeof s['exclusiveMinimum'] === 'number' ? s['exclusiveMinimum'] + 1 : 0;
        const max = typeof s['maximum'] === 'number' ? s['maximum'] : Infinity;
        const value = Math.min(Math.max(0, min), max);
        return type === 'integer' ? Math.ceil(value) : value;
      }
      case 'boolean':
        return false;
      case 'null':
        return null;
      default: {
        let str = nextString();
        const maxLen = typeof s['maxLength'] === 'number' ? s['maxLength'] : Infinity;
        const minLen = typeof s['minLength'] === 'number' ? s['minLength'] : 0;
        if (str.length > maxLen) str = str.slice(0, maxLen);
        while (str.length < minLen) str += ' (canned)';
        return str;
      }
    }
  };

  if (!schema) return { answer: strings[0], note: 'canned demo output' };
  return build(schema, 0);
}
