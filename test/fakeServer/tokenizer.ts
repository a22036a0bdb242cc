/**
 * The fake servers' deterministic tokenizer and chat template.
 *
 * Tokenizer (`countTokens`, `tokenPieces`):
 *  - the special tokens `<|im_start|>` and `<|im_end|>` are 1 token each;
 *  - every CJK character (Han, kana, Hangul, CJK/full-width punctuation) is 1 token;
 *  - every other run of non-space characters is ceil(length / 4) tokens (length in code points);
 *  - whitespace is free (it is glued to the following piece so pieces join back to the text).
 * It is deliberately simple so a test can compute expected numbers by hand; it is roughly
 * what a BPE tokenizer gives for English prose (≈ 4 chars/token) and Chinese (≈ 1 char/token).
 *
 * Chat template (Qwen/ChatML-like, what the "prompt tokens" of every flavour are counted over):
 *   for each message `<|im_start|>{role}\n{content}<|im_end|>\n`, then `<|im_start|>assistant\n`.
 */

export interface TemplateMessage {
  role: string;
  content: string;
}

const SPECIAL = ['<|im_start|>', '<|im_end|>'] as const;
const SPECIAL_IDS: Record<string, number> = { '<|im_start|>': 151644, '<|im_end|>': 151645 };
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
const SPACE = /\s/u;

/** Splits text into token pieces; `pieces.join('') === text`. */
export function tokenPieces(text: string): string[] {
  const pieces: string[] = [];
  let pendingSpace = '';
  let run: string[] = [];
  const flushRun = (): void => {
    for (let i = 0; i < run.length; i += 4) {
      pieces.push(pendingSpace + run.slice(i, i + 4).join(''));
      pendingSpace = '';
    }
    run = [];
  };
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) === 0x3c /* '<' */) {
      const special = SPECIAL.find((s) => text.startsWith(s, i));
      if (special) {
        flushRun();
        pieces.push(pendingSpace + special);
        pendingSpace = '';
        i += special.length;
        continue;
      }
    }
    const ch = String.fromCodePoint(text.codePointAt(i) as number);
    i += ch.length;
    if (SPACE.test(ch)) {
      flushRun();
      pendingSpace += ch;
    } else if (CJK.test(ch)) {
      flushRun();
      pieces.push(pendingSpace + ch);
      pendingSpace = '';
    } else {
      run.push(ch);
    }
  }
  flushRun();
  // Trailing whitespace belongs to the last piece (whitespace alone is free).
  if (pendingSpace && pieces.length > 0) pieces[pieces.length - 1] += pendingSpace;
  return pieces;
}

/** The deterministic token count every fake flavour uses (see the file comment for the rules). */
export function countTokens(text: string): number {
  return tokenPieces(text).length;
}

/** Stable fake token ids (FNV-1a of the piece), special tokens get Qwen's ids. */
export function tokenIds(text: string): number[] {
  return tokenPieces(text).map((piece) => {
    const trimmed = piece.trimStart();
    const special = SPECIAL_IDS[trimmed];
    if (special !== undefined) return special;
    let h = 0x811c9dc5;
    for (let i = 0; i < piece.length; i++) {
      h ^= piece.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % 151643;
  });
}

/** Text of an OpenAI message `content` (string, null, or an array of content parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '',
      )
      .filter((t) => t.length > 0)
      .join('\n');
  }
  return '';
}

/** Normalises request messages (any shape) to role + text. */
export function toTemplateMessages(messages: unknown): TemplateMessage[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((m: unknown) => {
    const msg = (m ?? {}) as { role?: unknown; content?: unknown };
    return { role: typeof msg.role === 'string' ? msg.role : 'user', content: contentText(msg.content) };
  });
}

/** Renders messages with the Qwen-like template used for every flavour's prompt token count. */
export function applyChatTemplate(messages: readonly TemplateMessage[], addGenerationPrompt = true): string {
  const body = messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('');
  return addGenerationPrompt ? `${body}<|im_start|>assistant\n` : body;
}

/** Prompt tokens of a chat request = countTokens(applyChatTemplate(messages)). */
export function countPromptTokens(messages: readonly TemplateMessage[]): number {
  return countTokens(applyChatTemplate(messages));
}
