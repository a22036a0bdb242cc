import type { ChatMessage } from './types';

/**
 * The one token estimator of the extension (sources, splitting, the action pipeline and the session all use it).
 * Token estimate for servers without a tokenize endpoint (Ollama, LM Studio, generic), calibrated separately
 * for CJK and Latin text against Qwen-family BPE (151k vocabulary):
 *  - Latin-script prose: 4–4.5 characters per token (words, spaces and punctuation together);
 *    code, numbers and short words are denser, down to ≈ 3 characters per token;
 *  - CJK: common Han characters are one token, frequent pairs merge, so 0.6–1 token per character;
 *  - other scripts and symbols: byte-level BPE splits them, about one token per character.
 * Two numbers come out: `low` (what the prompt is at least; a server reporting < 90 % of it dropped input) and
 * `budget` (what callers plan with: the high end plus a 10 % margin and a fixed allowance for the chat template).
 */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
/** Runs of code units outside Latin (U+0000–U+024F), the characters counted one by one. */
const NON_LATIN = /[\u0250-\uffff]+/g;
const LATIN_LOW = 1 / 4.5;
const LATIN_HIGH = 1 / 3;
const CJK_LOW = 0.6;
const CJK_HIGH = 1;
const OTHER_LOW = 0.2;
const OTHER_HIGH = 1;
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
  // Latin code units are counted by elimination: a native regex scan finds the runs of other characters (few in
  // most prose; none at all in a one-byte string, which V8 then skips outright), several times faster than a
  // loop over every code unit. A surrogate pair is one code point, as `for…of` would give it; both of its
  // halves are ≥ 0x250, so a pair never straddles two runs.
  let nonLatinUnits = 0;
  let cjk = 0;
  let other = 0;
  NON_LATIN.lastIndex = 0;
  for (let m = NON_LATIN.exec(text); m !== null; m = NON_LATIN.exec(text)) {
    const run = m[0];
    const n = run.length;
    nonLatinUnits += n;
    for (let i = 0; i < n; i++) {
      const unit = run.charCodeAt(i);
      let ch = run[i] ?? '';
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < n) {
        const next = run.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          ch = run.slice(i, i + 2);
          i++;
        }
      }
      if (ch.length === 1 ? isCjkUnit(unit, ch) : CJK.test(ch)) cjk++;
      else other++;
    }
  }
  const latin = text.length - nonLatinUnits;
  const result = {
    low: Math.floor(latin * LATIN_LOW + cjk * CJK_LOW + other * OTHER_LOW),
    high: Math.ceil(latin * LATIN_HIGH + cjk * CJK_HIGH + other * OTHER_HIGH),
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
