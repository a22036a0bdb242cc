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

export function estimateTextTokens(text: string): { low: number; high: number } {
  const long = text.length >= RECENT_MIN_LENGTH;
  if (long) {
    const hit = recent.get(text);
    if (hit) return hit;
  }
  let latin = 0;
  let cjk = 0;
  let other = 0;
  // Code units, not a string iterator (several times faster on long texts); a surrogate pair is one code
  // point, as `for…of` would give it.
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x250) {
      latin++;
      continue;
    }
    let ch = text[i] ?? '';
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        ch = text.slice(i, i + 2);
        i++;
      }
    }
    if (CJK.test(ch)) cjk++;
    else other++;
  }
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
