/**
 * Text normalisation for grounding checks, with a map back to the original offsets so that a
 * finding in normalised text can be reported at its exact place in the note or the source.
 *
 * Two forms are built from the same pass:
 * - the "number form" keeps punctuation and single spaces (numbers need `.`, `,`, `%`, `-`, `×`);
 * - the "quote form" keeps only lower-cased letters and digits, so that whitespace, line-break
 *   hyphenation, punctuation and quote marks cannot make a verbatim quote look different.
 */

/** Text plus, for each of its UTF-16 units, the offset of the original unit it came from. */
export interface MappedText {
  readonly text: string;
  /** `map[i]` = original offset of `text[i]`; `map[text.length]` = original length. */
  readonly map: Int32Array;
}

/** Every dash that can stand for a minus sign or a range, folded to ASCII `-`. */
const DASHES = new Set([0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xfe58, 0xfe63, 0xff0d, 0x2e3a, 0x2e3b]);
/** Spaces that group digits ("1 000") in typeset text; kept apart from ordinary spaces for the note side. */
const THIN_SPACES = new Set([0x00a0, 0x2007, 0x2009, 0x202f]);
/** Invisible characters that PDFs and editors leave inside words. */
const INVISIBLE = new Set([0x00ad, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff]);
/** Multiplication signs used for "× 10^-3". NFKC leaves × alone; these are its look-alikes. */
const TIMES = new Set([0x00d7, 0x2715, 0x2716, 0x22c5]);
const OTHER_SPACES = new Set([0x0085, 0x1680, 0x2028, 0x2029, 0x205f, 0x3000]);
const SPACE = 0x20;
const THIN = 0x2009;
const MINUS = 0x2d;

/**
 * Per-character folds kept by whoever normalises (one call, or a GroundingIndexCache across the texts it
 * indexes): a text repeats few distinct non-ASCII characters many times. Bounded: emptied when full.
 */
export class CharFolds {
  private readonly nfkcForms = new Map<number, string>();
  private readonly quoteForms = new Map<number, string>();

  /** NFKC of one character: full-width digits and ％ become ASCII, ﬁ/ﬂ become letters, ⁻³ becomes −3. */
  nfkc(cp: number): string {
    let out = this.nfkcForms.get(cp);
    if (out === undefined) {
      out = String.fromCodePoint(cp).normalize('NFKC');
      // NFKC turns superscript minus into U+2212 and full-width hyphen-minus into '-'; fold again.
      if (out.length === 1 && DASHES.has(out.charCodeAt(0))) out = '-';
      if (this.nfkcForms.size >= MAX_FOLDS) this.nfkcForms.clear();
      this.nfkcForms.set(cp, out);
    }
    return out;
  }

  /** The quote form of one non-ASCII code unit ('' when it is not a letter or digit). */
  quote(code: number): string {
    let out = this.quoteForms.get(code);
    if (out === undefined) {
      const ch = String.fromCharCode(code);
      out = QUOTE_KEEP.test(ch) ? ch.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase() : '';
      if (this.quoteForms.size >= MAX_FOLDS) this.quoteForms.clear();
      this.quoteForms.set(code, out);
    }
    return out;
  }
}

const MAX_FOLDS = 4096;

/**
 * Ranges of line-break hyphenation ("evalu-\n ation") to drop: a letter, a hyphen, whitespace with a
 * newline, then a lower-case letter. Only across a newline, so "well-known" on one line is untouched.
 */
function hyphenBreaks(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  // A plain regex finds the candidates; the letter tests run only there (a Unicode lookbehind over
  // 500 pages costs more than the whole rest of the normalisation).
  const re = /[-\u00AD\u2010\u2011][ \t]*\r?\n[ \t]*/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const end = m.index + m[0].length;
    if (LETTER.test(text[m.index - 1] ?? '') && LOWER.test(text[end] ?? '')) out.push([m.index, end]);
  }
  return out;
}
const LETTER = /\p{L}/u;
const LOWER = /\p{Ll}/u;

/** A growable UTF-16 buffer with an offset map, decoded once at the end (500 pages in tens of ms). */
class MappedBuilder {
  private buf: Uint16Array;
  private map: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Uint16Array(Math.max(16, capacity));
    this.map = new Int32Array(Math.max(16, capacity) + 1);
  }
  push(code: number, from: number): void {
    if (this.length >= this.buf.length) {
      const buf = new Uint16Array(this.buf.length * 2);
      buf.set(this.buf);
      this.buf = buf;
      const map = new Int32Array(this.buf.length + 1);
      map.set(this.map);
      this.map = map;
    }
    this.buf[this.length] = code;
    this.map[this.length++] = from;
  }
  last(): number {
    return this.length > 0 ? (this.buf[this.length - 1] ?? 0) : -1;
  }
  finish(endOffset: number): MappedText {
    this.map[this.length] = endOffset;
    const text = decodeUtf16(this.buf.subarray(0, this.length));
    return { text, map: this.map.slice(0, this.length + 1) };
  }
}

const decoder = new TextDecoder('utf-16le');
function decodeUtf16(units: Uint16Array): string {
  return decoder.decode(units);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * The number form: NFKC, dashes → `-`, multiplication look-alikes → `×`, digit-grouping spaces → U+2009,
 * other whitespace runs → one space, invisible characters and line-break hyphenation removed.
 */
export function normalizeForNumbers(text: string, folds: CharFolds = new CharFolds()): MappedText {
  const breaks = hyphenBreaks(text);
  let b = 0;
  const out = new MappedBuilder(text.length + 16);
  let lastSpace = true;
  const n = text.length;
  for (let i = 0; i < n;) {
    const br = breaks[b];
    if (br !== undefined && i === br[0]) {
      i = br[1];
      b++;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 32 || (c >= 9 && c <= 13)) {
        if (!lastSpace) out.push(SPACE, i);
        lastSpace = true;
      } else {
        out.push(c, i);
        lastSpace = false;
      }
      i++;
      continue;
    }
    const cp = text.codePointAt(i) ?? c;
    const width = cp > 0xffff ? 2 : 1;
    if (DASHES.has(cp)) {
      out.push(MINUS, i);
      lastSpace = false;
    } else if (THIN_SPACES.has(cp)) {
      out.push(THIN, i);
      lastSpace = false;
    } else if (INVISIBLE.has(cp)) {
      /* dropped */
    } else if (TIMES.has(cp)) {
      out.push(0xd7, i);
      lastSpace = false;
    }
    // The Lancet's decimal point "3·5" (a middle dot between digits).
    else if (cp === 0xb7 && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) {
      out.push(0x2e, i);
      lastSpace = false;
    } else if (OTHER_SPACES.has(cp) || (cp >= 0x2000 && cp <= 0x200a)) {
      if (!lastSpace) out.push(SPACE, i);
      lastSpace = true;
    } else {
      const mapped = folds.nfkc(cp);
      if (mapped === ' ') {
        if (!lastSpace) out.push(SPACE, i);
        lastSpace = true;
      } else if (mapped.length > 0) {
        for (let k = 0; k < mapped.length; k++) out.push(mapped.charCodeAt(k), i);
        lastSpace = false;
      }
    }
    i += width;
  }
  return out.finish(n);
}

/**
 * The quote form: letters and digits only, lower-cased and without accents (NFKD, marks dropped),
 * built from the number form so hyphenation and ligatures are already repaired.
 */
export function normalizeForQuotes(text: string): MappedText {
  return toQuoteForm(normalizeForNumbers(text));
}

const QUOTE_KEEP = /[\p{L}\p{N}]/u;

/** The quote form of text already in number form (sources keep both forms without normalising twice). */
export function toQuoteForm(base: MappedText, folds: CharFolds = new CharFolds()): MappedText {
  const t = base.text;
  const out = new MappedBuilder(t.length + 16);
  for (let i = 0; i < t.length; i++) {
    const code = t.charCodeAt(i);
    const from = base.map[i] ?? 0;
    if (code < 0x80) {
      if (isDigit(code) || (code >= 97 && code <= 122)) out.push(code, from);
      else if (code >= 65 && code <= 90) out.push(code + 32, from);
      continue;
    }
    // Surrogate halves (rare CJK extension characters) are kept as they are, on both sides alike.
    if (code >= 0xd800 && code <= 0xdfff) {
      out.push(code, from);
      continue;
    }
    const mapped = folds.quote(code);
    for (let k = 0; k < mapped.length; k++) out.push(mapped.charCodeAt(k), from);
  }
  return out.finish(base.map[t.length] ?? 0);
}

/** Both searchable forms of a source (see normalizeSource). */
export interface SourceForms {
  /** The number form, for scanning the source's numbers; its map is scratch space, valid until the next call. */
  readonly numberForm: MappedText;
  /** The quote form, what `toQuoteForm(numberForm)` gives. */
  readonly quoteForm: MappedText;
}

/** The quote form of one number-form code unit, pushed into a buffer; returns the new length. */
function pushQuote(code: number, from: number, buf: Uint16Array, map: Int32Array, len: number, folds: CharFolds): number {
  if (code < 0x80) {
    if (isDigit(code) || (code >= 97 && code <= 122)) {
      buf[len] = code;
      map[len] = from;
      return len + 1;
    }
    if (code >= 65 && code <= 90) {
      buf[len] = code + 32;
      map[len] = from;
      return len + 1;
    }
    return len;
  }
  if (code >= 0xd800 && code <= 0xdfff) {
    buf[len] = code;
    map[len] = from;
    return len + 1;
  }
  const mapped = folds.quote(code);
  for (let k = 0; k < mapped.length; k++) {
    buf[len] = mapped.charCodeAt(k);
    map[len++] = from;
  }
  return len;
}

function grown<T extends Uint16Array | Int32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * Both forms of a source text in one pass over it: the same output as `normalizeForNumbers` and
 * `toQuoteForm` one after the other (a unit test holds them equal), about twice as fast on 500 pages,
 * because the ASCII bulk of extracted text goes through one branch-light loop into preallocated
 * buffers. `blank` lists ranges (ascending, not overlapping) read as whitespace: the `[page N]`
 * markers, which are the reader's, not the paper's.
 */
export function normalizeSource(
  text: string,
  blank: ReadonlyArray<readonly [number, number]> = [],
  state: NormalizerState = new NormalizerState(),
): SourceForms {
  const { folds } = state;
  const breaks = hyphenBreaks(text);
  const n = text.length;
  // Invariant: length + input still to read <= capacity (ASCII writes at most one unit per unit read);
  // only the non-ASCII branch can expand (ligatures, NFKC), and it grows the buffers first.
  let cap = n + 64;
  // The buffers are scratch space reused across calls (the function is synchronous): allocating and
  // first touching ~20 MB per 500 pages costs more than the loop itself. Only the results are copied out.
  if (state.scratch.cap < cap)
    state.scratch = { cap, nb: new Uint16Array(cap), nm: new Int32Array(cap + 1), qb: new Uint16Array(cap), qm: new Int32Array(cap + 1) };
  else cap = state.scratch.cap;
  let { nb, nm, qb, qm } = state.scratch;
  let nl = 0;
  let ql = 0;
  let lastSpace = true;
  let b = 0;
  let k = 0;
  let nextBreak = breaks[0]?.[0] ?? n;
  let nextBlank = blank[0]?.[0] ?? n;
  let next = Math.min(nextBreak, nextBlank);
  for (let i = 0; i < n;) {
    if (i >= next) {
      if (i === nextBreak) {
        i = breaks[b]![1];
        b++;
        nextBreak = breaks[b]?.[0] ?? n;
      } else if (i === nextBlank) {
        if (!lastSpace) {
          nb[nl] = SPACE;
          nm[nl++] = i;
          lastSpace = true;
        }
        i = blank[k]![1];
        k++;
        nextBlank = blank[k]?.[0] ?? n;
      } else {
        // A range that started inside a skipped one: drop it.
        while (nextBreak < i) {
          b++;
          nextBreak = breaks[b]?.[0] ?? n;
        }
        while (nextBlank < i) {
          k++;
          nextBlank = blank[k]?.[0] ?? n;
        }
      }
      next = Math.min(nextBreak, nextBlank);
      continue;
    }
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      // ASCII_QUOTE: 0 whitespace, 1 kept in the number form only, else the quote-form code.
      const q = ASCII_QUOTE[c]!;
      if (q === 0) {
        if (!lastSpace) {
          nb[nl] = SPACE;
          nm[nl++] = i;
          lastSpace = true;
        }
      } else {
        nb[nl] = c;
        nm[nl++] = i;
        lastSpace = false;
        if (q > 1) {
          qb[ql] = q;
          qm[ql++] = i;
        }
      }
      i++;
      continue;
    }
    const cp = text.codePointAt(i) ?? c;
    const width = cp > 0xffff ? 2 : 1;
    let out: string;
    if (DASHES.has(cp)) out = '-';
    else if (THIN_SPACES.has(cp)) out = '\u2009';
    else if (INVISIBLE.has(cp)) out = '';
    else if (TIMES.has(cp)) out = '\u00d7';
    else if (cp === 0xb7 && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) out = '.';
    else if (OTHER_SPACES.has(cp) || (cp >= 0x2000 && cp <= 0x200a)) out = ' ';
    else out = folds.nfkc(cp);
    if (out === ' ') {
      if (!lastSpace) {
        nb[nl] = SPACE;
        nm[nl++] = i;
        lastSpace = true;
      }
    } else if (out.length > 0) {
      // Room for this expansion in both buffers (a quote-form unit can expand again: NFKD, lower case).
      let quoteUnits = 0;
      for (let j = 0; j < out.length; j++) {
        const code = out.charCodeAt(j);
        quoteUnits += code < 0x80 || (code >= 0xd800 && code <= 0xdfff) ? 1 : folds.quote(code).length;
      }
      const need = Math.max(nl + out.length, ql + quoteUnits) + (n - i);
      if (need > cap) {
        cap = Math.max(cap * 2, need);
        nb = grown(nb, cap);
        nm = grown(nm, cap + 1);
        qb = grown(qb, cap);
        qm = grown(qm, cap + 1);
        state.scratch = { cap, nb, nm, qb, qm };
      }
      for (let j = 0; j < out.length; j++) {
        const code = out.charCodeAt(j);
        nb[nl] = code;
        nm[nl++] = i;
        ql = pushQuote(code, i, qb, qm, ql, folds);
      }
      lastSpace = false;
    }
    i += width;
  }
  nm[nl] = n;
  qm[ql] = n;
  const forms = {
    numberForm: { text: decodeUtf16(nb.subarray(0, nl)), map: nm.subarray(0, nl + 1) },
    quoteForm: { text: decodeUtf16(qb.subarray(0, ql)), map: qm.slice(0, ql + 1) },
  };
  // Keep scratch space for texts up to the size of a long paper (~12 bytes per character), not more.
  if (state.scratch.cap > SCRATCH_KEEP) state.scratch = EMPTY_SCRATCH;
  return forms;
}

const SCRATCH_KEEP = 1 << 21;

/** Per ASCII code: 0 whitespace, 1 punctuation and symbols (number form only), else its quote-form code. */
const ASCII_QUOTE = (() => {
  const t = new Uint8Array(128).fill(1);
  for (const c of [9, 10, 11, 12, 13, 32]) t[c] = 0;
  for (let c = 48; c <= 57; c++) t[c] = c;
  for (let c = 97; c <= 122; c++) t[c] = c;
  for (let c = 65; c <= 90; c++) t[c] = c + 32;
  return t;
})();

interface Scratch {
  readonly cap: number;
  readonly nb: Uint16Array;
  readonly nm: Int32Array;
  readonly qb: Uint16Array;
  readonly qm: Int32Array;
}

const EMPTY_SCRATCH: Scratch = { cap: 0, nb: new Uint16Array(0), nm: new Int32Array(0), qb: new Uint16Array(0), qm: new Int32Array(0) };

/**
 * What normalising many source texts reuses, owned by whoever indexes them (a GroundingIndexCache): the
 * buffers (bounded: dropped after a text longer than a long paper) and the per-character folds.
 */
export class NormalizerState {
  scratch: Scratch = EMPTY_SCRATCH;
  readonly folds = new CharFolds();
}

/** A short one-line excerpt of `text` around [start, end), for messages and hovers. */
export function snippetAround(text: string, start: number, end: number, context = 40): string {
  const from = Math.max(0, start - context);
  const to = Math.min(text.length, end + context);
  const body = text.slice(from, to).replace(/\s+/gu, ' ').trim();
  return `${from > 0 ? '…' : ''}${body}${to < text.length ? '…' : ''}`;
}
