import type { ChatMessage, TokenEstimate } from './types';

export type { TokenEstimate } from './types';

/**
 * The one token estimator of the extension (sources, splitting, the action pipeline and the session all use it).
 * Token estimate for servers without a tokenize endpoint (Ollama, LM Studio, generic), fitted against the real
 * Qwen3 tokenizer (151k vocabulary, byte-level BPE, a pre-tokenizer that splits words, single digits and
 * punctuation runs) on half the pages of a corpus of papers and checked on the other half and on generated
 * tables, references, Chinese, LaTeX, hashes, URLs, code, author lists and German and French prose:
 *  - every digit is a token of its own, and so is a space before a digit; a line break (run) about half a token;
 *  - a word (a run of Latin letters, accented ones included) of up to 9 letters is about one token, because
 *    the vocabulary holds common words whole with their leading space; from 10 letters words are rarer and
 *    fragment, and beyond 12 letters they cost about one token per 3 letters more;
 *  - a capital letter starting a word, capitals inside a word (camelCase, gene names) and all-caps words
 *    (acronyms, which fragment letter by letter) cost more; so does every accented letter (two bytes);
 *  - ASCII punctuation: the first mark after a word or space is a token, marks following it in a run merge;
 *  - CJK: common Han characters are one token, frequent pairs merge, so 0.6–1 token per character;
 *  - other scripts and symbols: byte-level BPE splits them, up to 1.5 tokens per character.
 * Two numbers come out: `low` (what the prompt is at least; a server reporting < 90 % of it dropped input) and
 * `budget` (what callers plan with: the high end plus a 10 % margin and a fixed allowance for the chat template).
 */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
// Weights in hundredths of a token for the high end and tenths for the low bound: integer sums, so the same
// text always rounds the same way whatever the order of its parts.
const SHORT_WORD_HIGH = 107;
const SHORT_WORD_MAX = 9;
const LONG_WORD_HIGH = 190;
const LONG_WORD_STEM = 12;
const LONG_LETTER_HIGH = 34;
const CAPITAL_HIGH = 25;
const ALL_CAPS_LETTER_HIGH = 20;
const INNER_CAPITAL_HIGH = 86;
const ACCENTED_HIGH = 150;
const PUNCT_FIRST_HIGH = 140;
const PUNCT_RUN_HIGH = 70;
const LINE_BREAK_HIGH = 50;
const LATIN1_SYMBOL_HIGH = 100;
const CJK_HIGH = 100;
const OTHER_HIGH = 150;
const DIGIT_HIGH = 100;
const WORD_LOW = 8;
const PUNCT_LOW = 2;
const EXTENDED_LOW = 2;
const CJK_LOW = 6;
const OTHER_LOW = 2;
const DIGIT_LOW = 10;

/** Chat template tokens per message (`<|im_start|>role\n … <|im_end|>\n`) and for the reply primer. */
const PER_MESSAGE = 5;
const PRIMER = 3;
const MARGIN = 1.1;
const MARGIN_FIXED = 32;

/** CJK or not, per BMP code unit, filled on first sight (0 = not yet seen, 1 = CJK, 2 = other): CJK prose tests each unit once. */
const bmpClass = new Uint8Array(0x10000);

function isCjkUnit(unit: number, ch: string): boolean {
  let c = bmpClass[unit] ?? 0;
  if (c === 0) {
    c = CJK.test(ch) ? 1 : 2;
    bmpClass[unit] = c;
  }
  return c === 1;
}

/** Classes of the code units below U+0250 (ASCII, Latin-1, Latin Extended); everything above is OTHER. */
const UPPER = 1;
const LOWER = 2;
const ACCENTED = 3;
const DIGIT = 4;
const SPACE = 5;
const LINE_BREAK = 6;
const PUNCT = 7;
const LATIN1_SYMBOL = 8;
const OTHER = 9;
const LATIN_END = 0x250;
const latinClass = new Uint8Array(LATIN_END).map((_, unit) => {
  if (unit >= 0x41 && unit <= 0x5a) return UPPER;
  if (unit >= 0x61 && unit <= 0x7a) return LOWER;
  if (unit >= 0x30 && unit <= 0x39) return DIGIT;
  if (unit === 0x20 || unit === 0x09) return SPACE;
  if (unit === 0x0a || unit === 0x0d) return LINE_BREAK;
  if (unit < 0x80) return PUNCT;
  // Accented capitals count as lower case: only ASCII capitals are weighed as capitals.
  if (unit < 0xc0 || unit === 0xd7 || unit === 0xf7) return LATIN1_SYMBOL;
  return ACCENTED;
});

export function estimateTextTokens(text: string): { low: number; high: number } {
  // One pass over the code units (a plain loop over charCodeAt and a class table, a few milliseconds per megabyte).
  let digits = 0;
  let spaceBeforeDigit = 0;
  let lineBreaks = 0;
  let words = 0;
  let wordHigh = 0;
  let punctFirst = 0;
  let punctRun = 0;
  let latin1Symbols = 0;
  let accented = 0;
  let cjk = 0;
  let other = 0;
  let afterPunct = false;
  let inSpace = false;
  let spaceHasBreak = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let unit = text.charCodeAt(i);
    let c = unit < LATIN_END ? (latinClass[unit] ?? OTHER) : OTHER;
    if (c === SPACE || c === LINE_BREAK) {
      if (!inSpace) {
        inSpace = true;
        spaceHasBreak = false;
      }
      if (c === LINE_BREAK) spaceHasBreak = true;
      afterPunct = false;
      continue;
    }
    if (inSpace) {
      inSpace = false;
      if (spaceHasBreak) lineBreaks++;
      else if (c === DIGIT) spaceBeforeDigit++;
    }
    if (c <= ACCENTED) {
      // A whole word: its length, its capitals, whether it starts with one, capitals after a lower-case letter.
      const start = i;
      const firstCapital = c === UPPER;
      let capitals = 0;
      let innerCapitals = 0;
      let previousLower = false;
      for (;;) {
        if (c === UPPER) {
          capitals++;
          if (previousLower) innerCapitals++;
          previousLower = false;
        } else {
          previousLower = true;
          if (c === ACCENTED) accented++;
        }
        if (++i >= n) break;
        unit = text.charCodeAt(i);
        c = unit < LATIN_END ? (latinClass[unit] ?? OTHER) : OTHER;
        if (c > ACCENTED) break;
      }
      const length = i - start;
      i--;
      words++;
      wordHigh +=
        (length <= SHORT_WORD_MAX ? SHORT_WORD_HIGH : LONG_WORD_HIGH + Math.max(0, length - LONG_WORD_STEM) * LONG_LETTER_HIGH) +
        innerCapitals * INNER_CAPITAL_HIGH +
        (capitals === length && length > 1 ? length * ALL_CAPS_LETTER_HIGH : firstCapital ? CAPITAL_HIGH : 0);
      afterPunct = false;
      continue;
    }
    if (c === PUNCT) {
      if (afterPunct) punctRun++;
      else punctFirst++;
      afterPunct = true;
      continue;
    }
    afterPunct = false;
    if (c === DIGIT) {
      digits++;
      continue;
    }
    if (c === LATIN1_SYMBOL) {
      latin1Symbols++;
      continue;
    }
    // A surrogate pair is one code point, as `for…of` would give it.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        if (CJK.test(text.slice(i, i + 2))) cjk++;
        else other++;
        i++;
        continue;
      }
    }
    if (isCjkUnit(unit, text[i] ?? '')) cjk++;
    else other++;
  }
  if (inSpace && spaceHasBreak) lineBreaks++;
  const result = {
    low: Math.floor(
      (digits * DIGIT_LOW +
        words * WORD_LOW +
        (punctFirst + punctRun) * PUNCT_LOW +
        latin1Symbols * EXTENDED_LOW +
        cjk * CJK_LOW +
        other * OTHER_LOW) /
        10,
    ),
    high: Math.ceil(
      ((digits + spaceBeforeDigit) * DIGIT_HIGH +
        lineBreaks * LINE_BREAK_HIGH +
        wordHigh +
        accented * ACCENTED_HIGH +
        punctFirst * PUNCT_FIRST_HIGH +
        punctRun * PUNCT_RUN_HIGH +
        latin1Symbols * LATIN1_SYMBOL_HIGH +
        cjk * CJK_HIGH +
        other * OTHER_HIGH) /
        100,
    ),
  };
  return result;
}

/**
 * The planning estimate of a text (source sizes, split budgets, part budgets): the high end with the same 10 %
 * margin as `budget`, so parts planned piece by piece pass the session's pre-send check on the whole prompt.
 * Never below what a tokenizer counts for Latin or CJK prose (unit-tested against the fake servers' tokenizer).
 */
export function estimateTokens(text: string): number {
  // Integer arithmetic (× 11 / 10): a float 1.1 would turn exact multiples into one token more (10 × 1.1 = 11.000…02).
  return Math.ceil((estimateTextTokens(text).high * 11) / 10);
}

export function estimateMessageTokens(messages: readonly ChatMessage[]): TokenEstimate {
  let low = PRIMER;
  let high = PRIMER;
  for (const m of messages) {
    const t = estimateTextTokens(m.content);
    low += PER_MESSAGE + t.low;
    high += PER_MESSAGE + t.high;
  }
  return { low, budget: Math.ceil(high * MARGIN) + MARGIN_FIXED };
}
