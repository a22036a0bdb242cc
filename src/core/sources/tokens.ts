/**
 * Token estimates without a tokenizer. Calibrated for Qwen-style BPE vocabularies: Latin text runs about
 * 4 characters per token, CJK about 1.4 characters per token (so a CJK character weighs ~3× a Latin one).
 * The server layer replaces this with the server's own count when it has a tokenize endpoint.
 */
const CJK = /[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/gu;

export const LATIN_CHARS_PER_TOKEN = 4;
/** 1.4 characters per token, i.e. 5 tokens per 7 characters. */
export const CJK_CHARS_PER_TOKEN = 1.4;

export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  const cjk = text.match(CJK)?.length ?? 0;
  const other = text.length - cjk;
  // Integer arithmetic first (1/1.4 = 5/7) so that exact multiples do not round up by float error.
  return Math.ceil((cjk * 5) / 7 + other / LATIN_CHARS_PER_TOKEN);
}
