const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Removes `<think>…</think>` from streamed text so reasoning never lands in a note, even when the server does not separate it.
 * Handles tags split across chunks (`</thi` + `nk>`), an empty block, an unterminated block (dropped at the end),
 * and a lone `</think>` (Qwen3 Thinking templates pre-insert `<think>`, so only the close tag is generated).
 *
 * The lone-close case can only be recognised after the fact, so the start of an answer is held back until a tag
 * shows up or `holdChars` of tag-free text have arrived (Infinity for models known to think: then nothing streams
 * before `</think>` or the end; 0 for instruct models, so text shows as it arrives). A `</think>` that comes after
 * text was released sets `orphanClose`, and `orphanAt` says how much released text preceded it (that was reasoning).
 */
export class ThinkFilter {
  private buffer = '';
  private state: 'start' | 'visible' | 'thinking' = 'start';
  private atAnswerStart = true;
  private released = 0;
  orphanClose = false;
  orphanAt: number | undefined;

  constructor(private readonly holdChars = 512) {}

  push(chunk: string): string {
    this.buffer += chunk;
    return this.release(this.drain(false));
  }

  end(): string {
    return this.release(this.drain(true));
  }

  private release(text: string): string {
    const out = this.trimStart(text);
    this.released += out.length;
    return out;
  }

  // Models put blank lines after `</think>`; an answer never starts with whitespace that matters.
  private trimStart(text: string): string {
    if (!this.atAnswerStart) return text;
    const trimmed = text.replace(/^\s+/, '');
    if (trimmed.length > 0) this.atAnswerStart = false;
    return trimmed;
  }

  private drain(final: boolean): string {
    let out = '';
    for (;;) {
      if (this.state === 'thinking') {
        const close = this.buffer.indexOf(CLOSE);
        if (close < 0) {
          // Reasoning is discarded as it arrives; keep only what could be the start of a split close tag.
          this.buffer = final ? '' : this.buffer.slice(-(CLOSE.length - 1));
          return out;
        }
        this.buffer = this.buffer.slice(close + CLOSE.length);
        this.state = 'visible';
        continue;
      }
      const open = this.buffer.indexOf(OPEN);
      const close = this.buffer.indexOf(CLOSE);
      if (close >= 0 && (open < 0 || close < open)) {
        if (this.state === 'start') {
          // Only a close tag: everything before it was reasoning.
          this.buffer = this.buffer.slice(close + CLOSE.length);
        } else {
          out += this.buffer.slice(0, close);
          this.buffer = this.buffer.slice(close + CLOSE.length);
          this.orphanClose = true;
          this.orphanAt = this.released + (this.atAnswerStart ? out.replace(/^\s+/, '') : out).length;
        }
        this.state = 'visible';
        continue;
      }
      if (open >= 0) {
        out += this.buffer.slice(0, open);
        this.buffer = this.buffer.slice(open + OPEN.length);
        this.state = 'thinking';
        continue;
      }
      if (this.state === 'start') {
        if (!final && this.buffer.length < this.holdChars) return out;
        this.state = 'visible';
        continue;
      }
      if (final) {
        out += this.buffer;
        this.buffer = '';
        return out;
      }
      const keep = partialTagSuffix(this.buffer);
      out += this.buffer.slice(0, this.buffer.length - keep);
      this.buffer = this.buffer.slice(this.buffer.length - keep);
      return out;
    }
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `<think>` or `</think>`. */
function partialTagSuffix(text: string): number {
  for (let n = Math.min(CLOSE.length - 1, text.length); n > 0; n--) {
    const tail = text.slice(-n);
    if (OPEN.startsWith(tail) || CLOSE.startsWith(tail)) return n;
  }
  return 0;
}

/** Whole-text version for non-streamed answers. */
export function stripThink(text: string): string {
  const filter = new ThinkFilter(Number.POSITIVE_INFINITY);
  return filter.push(text) + filter.end();
}
