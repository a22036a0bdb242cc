import type { ChatMessage } from './types';

/**
 * The one token estimator of the extension (sources, splitting, the action pipeline and the session all use it).
 * Token estimate for servers without a tokenize endpoint (Ollama, LM Studio, generic), calibrated against the
 * real Qwen3 tokenizer (151k vocabulary, byte-level BPE) on papers, tables, references, Chinese and LaTeX:
 *  - every digit is a token of its own, and so is a space before a digit;
 *  - a run of letters (a word) is at least one token and at most about one per 4–6 letters beyond its first;
 *  - ASCII punctuation and symbols are up to one token each (LaTeX, tables), often merged in prose;
 *  - CJK: common Han characters are one token, frequent pairs merge, so 0.6–1 token per character;
 *  - other scripts and symbols: byte-level BPE splits them, up to 1.5 tokens per character.
 * Two numbers come out: `low` (what the prompt is at least; a server reporting < 90 % of it dropped input) and
 * `budget` (what callers plan with: the high end plus a 10 % margin and a fixed allowance for the chat template).
 */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
const WORD_HIGH = 0.9;
const LETTER_HIGH = 0.17;
const WORD_LOW = 0.8;
const PUNCT_LOW = 0.2;
const EXTENDED_HIGH = 1.5;
const EXTENDED_LOW = 0.2;
const CJK_LOW = 0.6;
const CJK_HIGH = 1;
const OTHER_LOW = 0.2;
const OTHER_HIGH = 1.5;
/** Chat template tokens per message (`<|im_start|>role\n … <|im_end|>\n`) and for the reply primer. */
const PER_MESSAGE = 5;
const PRIMER = 3;
const MARGIN = 1.1;
const MARGIN_FIXED = 32;

export interface TokenEstimate {
  /** Lower bound: the tokenizer will not produce fewer than this. */
  readonly low: number;
  /** Upper bound plus safety margin: plan budgets with this. */
  readonly budget: number;
}

/**
 * The same long text is estimated several times on the way to one request (the source when read, the
 * pipeline's plan, the session's pre-send check of the whole prompt): the last few long estimates are kept.
 */
const recent = new Map<string, { low: number; high: number }>();
const RECENT_MAX = 16;
const RECENT_MIN_LENGTH = 2048;

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

/** Forgets the kept estimates (the bench times a session's first action, which has none). */
export function forgetTokenEstimates(): void {
  recent.clear();
}

export function estimateTextTokens(text: string): { low: number; high: number } {
  const long = text.length >= RECENT_MIN_LENGTH;
  if (long) {
    const hit = recent.get(text);
    if (hit) return hit;
  }
  // One pass over the code units (a plain loop over charCodeAt, a few milliseconds per megabyte).
  let digits = 0;
  let spaceBeforeDigit = 0;
  let letters = 0;
  let words = 0;
  let punct = 0;
  let extended = 0;
  let cjk = 0;
  let other = 0;
  let inWord = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      if ((unit >= 0x61 && unit <= 0x7a) || (unit >= 0x41 && unit <= 0x5a)) {
        letters++;
        if (!inWord) words++;
        inWord = true;
        continue;
      }
      inWord = false;
      if (unit >= 0x30 && unit <= 0x39) digits++;
      else if (unit === 0x20 || unit === 0x0a || unit === 0x09 || unit === 0x0d) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0x30 && next <= 0x39) spaceBeforeDigit++;
      } else punct++;
      continue;
    }
    inWord = false;
    if (unit < 0x250) {
      extended++;
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
  const exact = digits + spaceBeforeDigit;
  const result = {
    low: Math.floor(digits + words * WORD_LOW + punct * PUNCT_LOW + extended * EXTENDED_LOW + cjk * CJK_LOW + other * OTHER_LOW),
    high: Math.ceil(
      exact + punct + words * WORD_HIGH + letters * LETTER_HIGH + extended * EXTENDED_HIGH + cjk * CJK_HIGH + other * OTHER_HIGH,
    ),
  };
  if (long) {
    if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value ?? '');
    recent.set(text, result);
  }
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
