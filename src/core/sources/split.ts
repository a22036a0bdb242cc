import type { Source, SourceLocation, SourceSection } from './types';
import { estimateTokens } from '../llm/tokens';

/** One piece of a source small enough for the budget; its location is where it starts. */
export interface SourcePart {
  readonly sourceId: string;
  /** 0-based, in document order. */
  readonly index: number;
  readonly count: number;
  /** Titles of the sections the part holds, joined with " / ". */
  readonly title: string;
  readonly text: string;
  readonly location: SourceLocation;
  readonly tokenEstimate: number;
  /**
   * The sections the part holds, in order, so a prompt can put a locator before each (the action pipeline does);
   * a section too large for one part appears as its pieces, titled "Title (i/n)", each with its starting page.
   */
  readonly sections: readonly SourceSection[];
}

export interface SplitOptions {
  /** Largest part, in estimated tokens. */
  readonly budgetTokens: number;
  /** Keep the references section (default false: left out, as in summaries). */
  readonly includeReferences?: boolean;
}

interface Piece {
  title: string;
  text: string;
  location: SourceLocation;
  tokens: number;
  sections: SourceSection[];
}

/**
 * Splits a source along its own structure: sections first (headings, detected PDF sections), then
 * paragraphs of a section that alone is too large, then sentences of a paragraph that is, and only as a
 * last resort a hard cut. Adjacent small sections are packed together up to the budget.
 */
export function splitSource(source: Source, options: SplitOptions): SourcePart[] {
  const budget = Math.max(16, Math.floor(options.budgetTokens));
  const sections: readonly SourceSection[] =
    source.sections.length > 0
      ? source.sections.filter((s) => options.includeReferences === true || s.role !== 'references')
      : [{ title: source.title, level: 0, text: source.text, location: {}, role: 'body' }];
  const pieces: Piece[] = [];
  for (const section of sections) {
    const tokens = estimateTokens(section.text);
    if (tokens <= budget)
      pieces.push({ title: section.title, text: section.text, location: section.location, tokens, sections: [section] });
    else pieces.push(...splitLarge(section, budget));
  }
  const packed: Piece[] = [];
  for (const piece of pieces) {
    const last = packed[packed.length - 1];
    // +1 for the blank line that joins two pieces.
    if (last && last.tokens + piece.tokens + 1 <= budget) {
      last.text = `${last.text}\n\n${piece.text}`;
      last.tokens += piece.tokens + 1;
      if (piece.title !== last.title.split(' / ').pop()) last.title = `${last.title} / ${piece.title}`;
      last.sections.push(...piece.sections);
    } else {
      packed.push({ ...piece, sections: [...piece.sections] });
    }
  }
  return packed.map((p, index) => ({
    sourceId: source.id,
    index,
    count: packed.length,
    title: p.title,
    text: p.text,
    location: p.location,
    tokenEstimate: p.tokens,
    sections: p.sections,
  }));
}

function splitLarge(section: SourceSection, budget: number): Piece[] {
  const out: Piece[] = [];
  let page = section.location.page;
  let current: string[] = [];
  let currentTokens = 0;
  let currentPage = page;
  const flush = (): void => {
    if (current.length === 0) return;
    const text = current.join('\n\n');
    const location = { ...section.location, ...(currentPage === undefined ? {} : { page: currentPage }) };
    out.push({ title: section.title, text, location, tokens: currentTokens, sections: [{ ...section, text, location }] });
    current = [];
    currentTokens = 0;
  };
  for (const paragraph of section.text.split(/\n\s*\n/)) {
    // PDF text carries page markers: keep each part's starting page for citations.
    const marker = /^\[page (\d+)\]$/.exec(paragraph.trim());
    if (marker) page = Number(marker[1]);
    for (const unit of fitUnits(paragraph, budget)) {
      const tokens = estimateTokens(unit);
      if (currentTokens + tokens + 1 > budget) flush();
      if (current.length === 0) currentPage = page;
      current.push(unit);
      currentTokens += tokens + (current.length > 1 ? 1 : 0);
    }
  }
  flush();
  // Number the pieces so a model reading one knows it holds only part of the section.
  if (out.length > 1)
    for (const [i, piece] of out.entries())
      piece.sections = piece.sections.map((s) => ({ ...s, title: `${s.title} (${i + 1}/${out.length})` }));
  return out;
}

/** A paragraph as is when it fits, else its sentences, else hard cuts of a sentence that alone is too long. */
function fitUnits(paragraph: string, budget: number): string[] {
  if (estimateTokens(paragraph) <= budget) return [paragraph];
  const sentences = paragraph.match(/[^.!?。！？]+[.!?。！？]*["')\]]*\s*/gu) ?? [paragraph];
  const units: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    if (estimateTokens(current + sentence) <= budget) {
      current += sentence;
      continue;
    }
    if (current !== '') units.push(current.trim());
    current = '';
    if (estimateTokens(sentence) <= budget) {
      current = sentence;
      continue;
    }
    // Characters per cut such that even all-CJK text stays within the budget (≤ 1 token per character, plus the
    // estimate's 10 % margin).
    const size = Math.max(1, Math.floor((budget * 10) / 11));
    for (let i = 0; i < sentence.length; i += size) units.push(sentence.slice(i, i + size));
  }
  if (current.trim() !== '') units.push(current.trim());
  return units;
}
