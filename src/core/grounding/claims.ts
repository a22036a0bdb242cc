/**
 * What in a generated block is a checkable claim: figures (with their role: percentage, p-value,
 * confidence interval, range, sample size, year) and quoted spans. Offsets are in the block text
 * exactly as given, so diagnostics land on the characters the user sees.
 *
 * Not claims (masked before scanning, documented in test/unit/grounding/fixtures):
 * - our own markup: HTML comments (block markers), code, links, wikilinks, `[@citekey]`, `[^footnote]`;
 * - source locators we insert or the model copies: "(p. 3)", "pp. 4–5", "§2.1", "Table 2", "Fig. 3",
 *   "第3页", "表2", numeric citations "[12]";
 * - list and heading numbering ("1. ", "## 2. Methods"), ordinals ("2nd");
 * - the level of a confidence interval ("95% CI"): a convention, not a finding;
 * - digits inside names ("COVID-19", "IL-6", "Qwen3-4B").
 * Years ARE claims: a year in a grant text that no source mentions is worth a look.
 */
import { normalizeForNumbers, type MappedText } from './normalize';
import { scanNumbers, type NumberToken } from './numbers';

/** `cell` is a comparison-table cell (value + supporting quote), see table.ts. */
export type ClaimKind = 'number' | 'percent' | 'pValue' | 'ci' | 'range' | 'sampleSize' | 'year' | 'quote' | 'cell';

export interface NumberValue {
  readonly key: string;
  readonly unit: NumberToken['unit'];
  readonly decimals: number;
  readonly negative: boolean;
}

export interface Claim {
  readonly kind: ClaimKind;
  /** Offsets in the checked text. */
  readonly start: number;
  readonly end: number;
  /** The claim as written (the slice [start, end) of the checked text). */
  readonly text: string;
  /** For figures: each value that must be found (both ends of a range or interval). */
  readonly values: readonly NumberValue[];
  /** For quotes: the pieces between ellipses, each of which must be found. */
  readonly quotePieces?: readonly string[];
}

/** Names of the numbered parts of a paper a locator points at, as regex alternatives (order kept: first match wins). */
const LOCATOR_NOUNS = [
  'Table',
  String.raw`Tab\.`,
  'Tables',
  'Figure',
  'Figures',
  String.raw`Fig\.`,
  String.raw`Figs\.`,
  'Section',
  String.raw`Sect?\.`,
  String.raw`Eq\.`,
  String.raw`Eqs\.`,
  'Equation',
  'Appendix',
  'Chapter',
  String.raw`Ch\.`,
  'Box',
  'Supplementary (?:Table|Figure)',
  String.raw`Ref\.`,
  String.raw`Refs\.`,
].join('|');

/** Regions replaced by spaces before scanning (same length, so offsets stay valid). */
const MASKS: readonly RegExp[] = [
  /<!--[\s\S]*?-->/gu,
  /^\s*(?:```|~~~)[^\n]*\n[\s\S]*?^\s*(?:```|~~~)[^\n]*$/gmu,
  /`[^`\n]*`/gu,
  /\bhttps?:\/\/[^\s)>\]]+/gu,
  /\]\([^)\n]*\)/gu,
  /\[\[[^\]\n]*\]\]/gu,
  /\[[^\]\n]*@[^\]\n]*\]/gu,
  /(?<![\p{L}\p{N}])@[\p{L}\p{N}_:.-]+/gu,
  /\[\^[^\]\n]*\]/gu,
  // Locators: (p. 3), pp. 4-5, page 12, §2.1, Table 2, Fig. 3a, Section 4.2, Eq. 5, Table S1.
  /(?<![\p{L}])(?:pp?\.|pages?|S\.)\s*\d+(?:\s*[-–—,]\s*\d+)*/giu,
  /§\s*\d+(?:\.\d+)*/gu,
  // A named part of a paper and its number(s): "Table 2", "Fig. 3a", "Section 4.2", "Figures 1 and 2", "Table S1".
  new RegExp(`(?<![\\p{L}])(?:${LOCATOR_NOUNS})` + String.raw`\s*S?\d+[a-z]?(?:\.\d+)*(?:\s*(?:[-–—,]|and)\s*S?\d+[a-z]?)*`, 'giu'),
  /第\s*\d+\s*[页頁章节節条]/gu,
  /[表图圖]\s*S?\d+/gu,
  // Numeric citations [12], [3, 4], [5–7].
  /\[\d+(?:\s*[-–—,]\s*\d+)*\]/gu,
  // List and heading numbering, also inside block quotes and callouts ("> 1. ").
  /^[ \t]*(?:>[ \t]*)*(?:#{1,6}[ \t]+|[-*+][ \t]+)?\d+(?:\.\d+)*[.)、](?=[ \t])/gmu,
  // The header our own blocks carry.
  /figures checked:\s*\d+\s*\/\s*\d+/giu,
];

export function maskNonClaims(text: string): string {
  let out = text;
  for (const re of MASKS) out = out.replace(re, (m) => m.replace(/[^\n]/gu, ' '));
  return out;
}

/** Quote marks we read as quotations; ASCII single quotes are apostrophes far too often. */
const QUOTE_RES: readonly RegExp[] = [
  /"([^"\n]+)"/gu,
  /“([^”\n]+)”/gu,
  /„([^“”\n]+)[“”]/gu,
  /«\s?([^»\n]+?)\s?»/gu,
  /「([^」\n]+)」/gu,
  /『([^』\n]+)』/gu,
];
export const ELLIPSIS = /\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…|\(\s*(?:\.\.\.|…)\s*\))\s*/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/**
 * Is this quoted span a quotation (checked) or a term in scare quotes (not checked)?
 * At least two words, or four CJK characters, and at least eight letters or digits: a quoted
 * single word is a term, and a term that the sources do not use is not an invented quotation.
 */
function isQuotation(inner: string): boolean {
  const alnum = inner.replace(/[^\p{L}\p{N}]/gu, '');
  if (alnum.length < 8) return false;
  const cjk = inner.match(CJK)?.length ?? 0;
  if (cjk >= 4) return true;
  return inner.trim().split(/\s+/u).length >= 2;
}

export function extractQuotes(text: string, masked = maskNonClaims(text)): Claim[] {
  const out: Claim[] = [];
  for (const re of QUOTE_RES) {
    re.lastIndex = 0;
    for (let m = re.exec(masked); m !== null; m = re.exec(masked)) {
      const innerStart = m.index + 1;
      const inner = text.slice(innerStart, innerStart + (m[1]?.length ?? 0));
      if (!isQuotation(inner)) continue;
      const pieces = inner
        .split(ELLIPSIS)
        .map((p) => p.trim())
        .filter((p) => p.replace(/[^\p{L}\p{N}]/gu, '').length >= 4);
      if (pieces.length === 0) continue;
      out.push({ kind: 'quote', start: innerStart, end: innerStart + inner.length, text: inner, values: [], quotePieces: pieces });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

const ORDINAL = /^(?:st|nd|rd|th)\b/u;
const CI_BEFORE = /(?:\bCI|confidence interval|置信区间|可信区间)[\s:=,([]*(?:of\s+|为\s*)?$/iu;
const CI_LEVEL_AFTER = /^\s?(?:CI\b|confidence interval|置信区间|可信区间)/iu;
const P_BEFORE = /(?:^|[^\p{L}])[pP](?:[\s-]?value)?\s*(?:值\s*)?(?:<=|>=|<|>|=|≤|≥|⩽|⩾)\s*$/u;
const N_BEFORE = /(?:^|[^\p{L}])[nN]\s*=\s*$|样本量为?\s*$/u;
const RANGE_JOIN = /^\s?(?:-|to|至|~|～)\s?$/u;

function valueOf(t: NumberToken): NumberValue {
  return { key: t.key, unit: t.unit, decimals: t.decimals, negative: t.negative };
}

/** Figures in `text` (already masked), grouped into claims, with offsets mapped back through `norm`. */
function extractFigures(text: string, norm: MappedText, insideQuotes: ReadonlyArray<readonly [number, number]>): Claim[] {
  const n = norm.text;
  const tokens = scanNumbers(n, 'note');
  const out: Claim[] = [];
  const orig = (i: number): number => norm.map[i] ?? text.length;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === undefined) continue;
    const startO = orig(t.start);
    if (insideQuotes.some(([s, e]) => startO >= s && startO < e)) continue;
    const after = n.slice(t.end, t.end + 24);
    const before = n.slice(Math.max(0, t.start - 32), t.start);
    if (t.unit === 'none' && ORDINAL.test(after)) continue;
    if (t.unit === 'percent' && CI_LEVEL_AFTER.test(after)) continue;
    const next = tokens[i + 1];
    const joinedToNext = next !== undefined && RANGE_JOIN.test(n.slice(t.end, next.start));
    let kind: ClaimKind;
    let values: NumberValue[] = [valueOf(t)];
    let endN = t.end;
    if (CI_BEFORE.test(before) || P_BEFORE.test(before) || N_BEFORE.test(before) || !joinedToNext || next === undefined) {
      if (CI_BEFORE.test(before)) {
        kind = 'ci';
        // "1.2–3.4", "1.2 to 3.4", "[1.2, 3.4]", "(1.2; 3.4)": the upper bound is the next figure.
        if (next !== undefined && /^\s?(?:-|to|,|;|至|~|～)\s?$/u.test(n.slice(t.end, next.start))) {
          values = [valueOf(t), valueOf(next)];
          endN = next.end;
          i++;
        }
      } else if (P_BEFORE.test(before)) kind = 'pValue';
      else if (N_BEFORE.test(before)) kind = 'sampleSize';
      else if (t.unit !== 'none') kind = 'percent';
      else if (t.decimals === 0 && !t.negative && /^(?:1[89]\d\d|20\d\d)$/u.test(t.key)) kind = 'year';
      else kind = 'number';
    } else {
      // A range: "10–20", "10%–20%", "10–20%" (the unit of the upper bound applies to both).
      kind = 'range';
      const lower = t.unit === 'none' && next.unit !== 'none' ? { ...valueOf(t), unit: next.unit } : valueOf(t);
      values = [lower, valueOf(next)];
      endN = next.end;
      i++;
    }
    const start = orig(t.start);
    // The end maps through the last character of the claim, so trailing spaces are never included.
    const end = orig(endN - 1) + 1;
    out.push({ kind, start, end, text: text.slice(start, end), values });
  }
  return out;
}

const CN_DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "七十二" → "72", "十五点五" → "15.5", "一百" → "100"; undefined for anything else. */
export function chineseNumber(text: string): string | undefined {
  const [intPart = '', fracPart] = text.split('点');
  let value = 0;
  let current = 0;
  for (const ch of intPart) {
    const d = CN_DIGITS[ch];
    if (d !== undefined) current = d;
    else if (ch === '十') {
      value += (current || 1) * 10;
      current = 0;
    } else if (ch === '百') {
      value += current * 100;
      current = 0;
    } else return undefined;
  }
  value += current;
  if (fracPart === undefined) return String(value);
  const frac = [...fracPart].map((ch) => CN_DIGITS[ch]);
  if (frac.length === 0 || frac.some((d) => d === undefined)) return undefined;
  return `${value}.${frac.join('')}`;
}

/** "百分之七十二" (72%): written-out Chinese percentages. */
function chinesePercents(masked: string, text: string): Claim[] {
  const out: Claim[] = [];
  for (const m of masked.matchAll(/百分之([零〇一二两三四五六七八九十百点]+)/gu)) {
    const digits = chineseNumber(m[1] ?? '');
    if (digits === undefined) continue;
    const decimals = digits.includes('.') ? digits.length - digits.indexOf('.') - 1 : 0;
    const start = m.index;
    const end = start + m[0].length;
    out.push({
      kind: 'percent',
      start,
      end,
      text: text.slice(start, end),
      values: [{ key: digits, unit: 'percent', decimals, negative: false }],
    });
  }
  return out;
}

/** Every checkable claim in a generated text, in document order. */
export function extractClaims(text: string): Claim[] {
  const masked = maskNonClaims(text);
  const quotes = extractQuotes(text, masked);
  const norm = normalizeForNumbers(masked);
  const inQuotes = quotes.map((q) => [q.start, q.end] as const);
  const figures = extractFigures(text, norm, inQuotes);
  const written = chinesePercents(masked, text).filter((c) => !inQuotes.some(([s, e]) => c.start >= s && c.start < e));
  return [...figures, ...written, ...quotes].sort((a, b) => a.start - b.start);
}
