/**
 * Host-neutral PDF text layout over positioned text items: reading order (columns.ts), repeated
 * headers/footers/watermarks, paragraphs, de-hyphenation, ligatures, section titles and the references
 * section. The engine (src/pdf/engine.ts) supplies the items from pdf.js.
 */
import { isReferencesTitle } from '../markdown/sections';
import type { SourceSection } from '../sources/types';
import { pageLines, type Line } from './columns';
import { buildVocabulary, joinHyphenated, normaliseChars, repairLigatures, type Vocabulary } from './normalize';
import { pageMarker, type PdfExtraction, type PdfFirstPageLine, type PdfPageItems } from './types';

interface Paragraph {
  text: string;
  page: number;
  size: number;
  lines: number;
}

function repeatKey(text: string): string {
  return text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

const PAGE_NUMBER = /^(page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(\s*(of|\/)\s*\d{1,4})?$/i;

/**
 * Drops running headers/footers (the same text, page numbers aside, at the top or bottom of many pages),
 * bare page numbers in the margins, and watermark lines repeated anywhere on most pages.
 */
function removeRepeated(pages: Line[][], heights: readonly number[]): number {
  const n = pages.length;
  if (n < 3) {
    let removed = 0;
    pages.forEach((lines, p) => {
      const h = heights[p] ?? 792;
      const before = lines.length;
      pages[p] = lines.filter((l) => !(PAGE_NUMBER.test(l.text) && (l.y < h * 0.1 || l.y > h * 0.9)));
      removed += before - (pages[p]?.length ?? 0);
    });
    return removed;
  }
  const marginCount = new Map<string, number>();
  const anywhereCount = new Map<string, number>();
  // Each line's key once (both passes below need it).
  const keys = pages.map((lines) => lines.map((l) => repeatKey(l.text)));
  pages.forEach((lines, p) => {
    const h = heights[p] ?? 792;
    const margin = new Set<string>();
    const anywhere = new Set<string>();
    const pageKeys = keys[p] ?? [];
    for (const [i, l] of lines.entries()) {
      const key = pageKeys[i] ?? '';
      // Watermarks repeat verbatim; body lines that differ only in numbers are not watermarks.
      anywhere.add(l.text);
      if (l.y > h * 0.91 || l.y < h * 0.09) margin.add(key);
    }
    for (const k of margin) marginCount.set(k, (marginCount.get(k) ?? 0) + 1);
    for (const k of anywhere) anywhereCount.set(k, (anywhereCount.get(k) ?? 0) + 1);
  });
  const marginMin = Math.max(3, Math.ceil(n * 0.3));
  const anywhereMin = Math.max(3, Math.ceil(n * 0.6));
  let removed = 0;
  pages.forEach((lines, p) => {
    const h = heights[p] ?? 792;
    const pageKeys = keys[p] ?? [];
    const kept = lines.filter((l, i) => {
      const key = pageKeys[i] ?? '';
      const inMargin = l.y > h * 0.91 || l.y < h * 0.09;
      if (inMargin && (PAGE_NUMBER.test(l.text) || (marginCount.get(key) ?? 0) >= marginMin)) return false;
      // Watermarks ("Downloaded from …") repeat in the body too; short keys (e.g. "#") are too common to judge.
      if (l.text.length >= 12 && (anywhereCount.get(l.text) ?? 0) >= anywhereMin) return false;
      return true;
    });
    removed += lines.length - kept.length;
    pages[p] = kept;
  });
  return removed;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Section headings recognised without numbering (English, then Chinese), matched as the whole line. */
const KNOWN_SECTION_NAMES = [
  'abstract|summary|introduction|background|related work',
  'methods?|materials and methods|methods and materials|methodology|experimental( section| procedures)?|experiments?',
  'results|results and discussion|discussion|conclusions?|conclusions and future work|limitations|future work',
  'acknowledge?ments?|funding|author contributions|data availability( statement)?|competing interests|conflicts? of interest',
  'ethics statement|supporting information|supplementary (material|information)|appendix( [a-z])?',
  'references?|bibliography|literature cited|works cited',
  '摘要|引言|方法|结果|讨论|结论|参考文献',
];
const KNOWN_SECTIONS = new RegExp(`^(${KNOWN_SECTION_NAMES.join('|')})$`, 'i');
const NUMBERED = /^((?:\d{1,2}\.)*\d{1,2}|[IVX]{1,5})\.?\s+((?:\p{Lu}|\p{Script=Han}).*)$/u;
/** Figure and table labels ("Figure 3", "Table 2", "图 1", "表 3") are captions, never section titles. */
const CAPTION_LABEL = /^(fig(ure)?s?\.?|tab(le)?s?\.?|scheme|chart|plate|图|表)\s*[\dIVX]/iu;

/** Letter-spaced type ("P A R T I C I P A N T S"): mostly one-character words, as in table headers. */
function letterSpaced(text: string): boolean {
  const words = text.split(/\s+/);
  return words.length >= 4 && words.filter((w) => w.length === 1).length >= words.length * 0.6;
}

/** Section level when a paragraph is a section title, else 0. */
function headingLevel(p: Paragraph, bodySize: number, bySize = true): number {
  if (p.lines !== 1) return 0;
  const text = p.text.trim();
  if (text.length > 90 || text.length < 3 || (/[.;,]$/.test(text) && !/^[\dIVX.]+\s/.test(text))) return 0;
  if (CAPTION_LABEL.test(text) || letterSpaced(text) || /[。，；：！？]/u.test(text)) return 0;
  const words = text.split(/\s+/).length;
  const bare = text.replace(/^((?:\d{1,2}\.)*\d{1,2}|[IVX]{1,5})\.?\s+/, '').replace(/[:.]$/, '');
  if (KNOWN_SECTIONS.test(bare)) {
    const num = NUMBERED.exec(text)?.[1];
    return num && /^\d/.test(num) ? num.split('.').filter(Boolean).length : 1;
  }
  const numbered = NUMBERED.exec(text);
  if (
    numbered?.[1] &&
    numbered[2] &&
    words <= 12 &&
    p.size >= bodySize * 0.97 &&
    !/\d{2,}/.test(numbered[2]) &&
    // A Latin title has a word of three letters or more; a Chinese one ("2 概述", "4.1 数据收集") is short.
    (/\p{L}{3}/u.test(numbered[2]) || /^\p{Script=Han}{2,16}$/u.test(numbered[2].replace(/\s+/g, '')))
  ) {
    // "3.2 Results" → level 2; roman numerals are top-level.
    return /^\d/.test(numbered[1]) ? Math.min(4, numbered[1].split('.').filter(Boolean).length) : 1;
  }
  if (bySize && p.size >= bodySize * 1.15 && words <= 14 && /\p{L}{3}/u.test(text)) return 1;
  return 0;
}

/** Lays out the pages of a PDF into clean text, page texts and sections. */
export function layoutPdf(pages: readonly PdfPageItems[], pageCount = pages.length): PdfExtraction {
  let twoColumnPages = 0;
  let turnedPages = 0;
  let controlCharsRemoved = 0;
  const perPage: Line[][] = [];
  for (const page of pages) {
    const { lines, columns, turned } = pageLines(page);
    if (columns > 1) twoColumnPages++;
    if (turned) turnedPages++;
    for (const line of lines) {
      const { text, removed } = normaliseChars(line.text);
      line.text = text.replace(/\s+/g, ' ').trim();
      controlCharsRemoved += removed;
    }
    perPage.push(lines.filter((l) => l.text !== ''));
  }
  // Page 1 as printed, running headers included (they carry the journal, year and DOI), for metadata.
  const firstLines = pages[0]?.page === 1 ? (perPage[0] ?? []).map((l) => ({ ...l })) : undefined;
  const repeatedLinesRemoved = removeRepeated(
    perPage,
    pages.map((p) => p.height),
  );
  const vocab: Vocabulary = buildVocabulary(perPage.flatMap((lines) => lines.map((l) => l.text)).filter((t) => !t.includes('\u0000')));
  const bodySize = median(perPage.flatMap((lines) => lines.filter((l) => l.text.length > 30).map((l) => Math.round(l.size * 10) / 10)));

  let ligaturesRepaired = 0;
  let hyphenationsJoined = 0;
  // Repair ligatures line by line before de-hyphenation, so "tissue-" + "speci\u0000c" is judged on "specific".
  for (const lines of perPage) {
    for (const line of lines) {
      const repaired = repairLigatures(line.text, vocab);
      line.text = repaired.text;
      ligaturesRepaired += repaired.repaired;
    }
  }
  const firstPageLines: PdfFirstPageLine[] | undefined = firstLines?.map((l) => ({
    text: repairLigatures(l.text, vocab).text,
    size: Math.round(l.size * 100) / 100,
    x: Math.round(l.x0 * 10) / 10,
    y: Math.round(l.y * 10) / 10,
  }));
  // Words that only ever appeared with a broken ligature ("specific") count for de-hyphenation now.
  const joinVocab: Vocabulary = ligaturesRepaired > 0 ? buildVocabulary(perPage.flatMap((lines) => lines.map((l) => l.text))) : vocab;
  const paragraphs: Paragraph[] = [];
  perPage.forEach((lines, p) => {
    const pageNo = pages[p]?.page ?? p + 1;
    const gaps: number[] = [];
    for (let i = 1; i < lines.length; i++) {
      const a = lines[i - 1];
      const b = lines[i];
      if (a && b && a.column === b.column && a.y > b.y) gaps.push(a.y - b.y);
    }
    const lineGap = median(gaps) || bodySize * 1.2 || 12;
    let current: { lines: Line[] } | undefined;
    const flush = (): void => {
      if (!current || current.lines.length === 0) return;
      let text = '';
      let size = 0;
      for (const line of current.lines) {
        size += line.size;
        if (text === '') text = line.text;
        // Tests look at the tail only: V8 scans an end-anchored regex from every position of a long paragraph.
        else if (/\p{L}[-\u00AD]$/u.test(text.slice(-4)) && /^\p{L}/u.test(line.text)) {
          const joined = joinHyphenated(text, line.text, joinVocab);
          if (joined.dropped) hyphenationsJoined++;
          text = joined.text;
        } else if (/[\u3000-\u9fff\uff00-\uffef]$/u.test(text.slice(-2)) && /^[\u3000-\u9fff\uff00-\uffef]/u.test(line.text))
          text += line.text;
        else text += ` ${line.text}`;
      }
      paragraphs.push({ text, page: pageNo, size: size / current.lines.length, lines: current.lines.length });
      current = undefined;
    };
    let prev: Line | undefined;
    for (const line of lines) {
      const sizeJump = prev !== undefined && Math.abs(line.size - prev.size) > Math.max(0.8, bodySize * 0.12);
      const gap = prev !== undefined ? prev.y - line.y : 0;
      // Paragraph gaps are judged against the body leading, or the line's own size for larger type (titles).
      const newBlock =
        prev === undefined ||
        prev.column !== line.column ||
        gap > Math.max(lineGap, prev.size * 1.25) * 1.45 ||
        gap < -lineGap * 0.5 ||
        sizeJump;
      // A short line that ends a sentence ends its paragraph; the next line starting further right is an indent.
      const endsParagraph = prev !== undefined && /[.!?:。！？]$/.test(prev.text) && prev.x1 - prev.x0 < (line.x1 - line.x0) * 0.8;
      // A numbered or named section title ends at its line even in body-size type; larger type (multi-line
      // titles) is split by the size change instead.
      if (
        newBlock ||
        endsParagraph ||
        (prev && headingLevel({ text: prev.text, page: 0, size: prev.size, lines: 1 }, bodySize, false) > 0 && current?.lines.length === 1)
      )
        flush();
      current ??= { lines: [] };
      current.lines.push(line);
      prev = line;
    }
    flush();
  });

  // Sections: headings split the paragraphs; after the references title everything is references
  // until an appendix / supplementary heading.
  const sections: { title: string; level: number; page: number; role: 'body' | 'references'; paragraphs: Paragraph[] }[] = [];
  let current: (typeof sections)[number] = { title: '', level: 0, page: paragraphs[0]?.page ?? 1, role: 'body', paragraphs: [] };
  sections.push(current);
  for (const p of paragraphs) {
    const level = headingLevel(p, bodySize);
    const title = p.text.trim();
    const inRefs = current.role === 'references';
    const isHeading = level > 0 && (!inRefs || /^(appendix|supplementary|supporting)/i.test(title.replace(/^[\dIVX.]+\s+/, '')));
    if (isHeading) {
      current = { title, level, page: p.page, role: isReferencesTitle(title) ? 'references' : 'body', paragraphs: [p] };
      sections.push(current);
    } else {
      current.paragraphs.push(p);
    }
  }

  const render = (paras: readonly Paragraph[], startPage: number): string => {
    let page = startPage;
    const out: string[] = [];
    for (const para of paras) {
      if (para.page !== page) {
        out.push(pageMarker(para.page));
        page = para.page;
      }
      out.push(para.text);
    }
    return out.join('\n\n');
  };
  const sourceSections: SourceSection[] = sections
    .filter((s) => s.paragraphs.length > 0)
    .map((s) => ({
      title: s.title === '' ? 'Front matter' : s.title,
      level: s.level,
      text: `${pageMarker(s.page)}\n\n${render(s.paragraphs, s.page)}`,
      location: { page: s.page, ...(s.title === '' ? {} : { heading: s.title }) },
      role: s.role,
    }));
  const pageTexts = pages.map((pg) =>
    paragraphs
      .filter((p) => p.page === pg.page)
      .map((p) => p.text)
      .join('\n\n'),
  );
  const first = paragraphs[0]?.page ?? 1;
  const text = paragraphs.length === 0 ? '' : `${pageMarker(first)}\n\n${render(paragraphs, first)}`;
  return {
    pageCount,
    pagesRead: pages.length,
    pages: pageTexts,
    text,
    sections: sourceSections,
    stats: { ligaturesRepaired, controlCharsRemoved, hyphenationsJoined, repeatedLinesRemoved, twoColumnPages, turnedPages },
    characters: paragraphs.reduce((n, p) => n + p.text.length, 0),
    ...(firstPageLines && pages[0]
      ? { metadata: { firstPage: { width: pages[0].width, height: pages[0].height, lines: firstPageLines } } }
      : {}),
  };
}
