/**
 * Number tokens in text that is already in number form (see normalize.ts).
 *
 * The same scanner reads the sources and the generated text, so a format the sources use is a
 * format the check understands. Values are compared as canonical decimal strings, never as
 * floats: 57 / 100 must be exactly "0.57", and "1,000", "1000", "1 000" and "1.0 × 10^3" one key.
 */

export type NumberUnit = 'percent' | 'permille' | 'none';

export interface NumberToken {
  /** Offsets in the scanned (number-form) text; the sign and the unit are included. */
  readonly start: number;
  readonly end: number;
  /** Canonical decimal string with sign, e.g. "-0.5", "1000", "0.0012". */
  readonly key: string;
  /** Digits after the decimal point as written (for rounding: "72.4" has 1). */
  readonly decimals: number;
  readonly unit: NumberUnit;
  readonly negative: boolean;
  /** The digits were grouped with spaces ("1 000"), which can also be read as two numbers. */
  readonly spaceGrouped: boolean;
  /** Free-text unit right after the number ("mg", "kg/m2", "patients"), for messages only. */
  readonly suffix: string;
}

/*
 * sign? mantissa (grouped by comma or thin/normal space, or plain, or ".5") exponent? unit?
 * Groups: 1 sign, 2 mantissa, 3 "× 10^" exponent, 4 "e" exponent, 5 unit.
 */
function numberRe(groupSpaces: string): RegExp {
  return new RegExp(
    String.raw`(?<![0-9.])(-)?` +
      String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[${groupSpaces}]\d{3})+(?![\d.,])|\d+(?:\.\d+)?|\.\d+)(?![\p{N}])` +
      String.raw`(?:\s?[×x*]\s?10\s?(?:\^\s?)?(-?\s?\d{1,3})(?![\p{N}.]))?` +
      String.raw`(?:[eE](-?\d{1,3})(?![\p{L}\p{N}]))?` +
      String.raw`(?:\s?(%|percent(?:age points?)?\b|per ?cent\b|‰|个百分点))?`,
    'uy',
  );
}

/**
 * Next number match at or after `re.lastIndex`. A plain digit search finds the candidates and the
 * full (sticky) pattern runs only there: letting the engine try the pattern at every character of
 * 500 pages costs about ten times more.
 */
const DIGIT = /[0-9]/g;
function nextMatch(re: RegExp, text: string, from: number): RegExpExecArray | null {
  let pos = from;
  for (;;) {
    DIGIT.lastIndex = pos;
    const d = DIGIT.exec(text);
    if (d === null) return null;
    const p = d.index;
    const prev = text.charCodeAt(p - 1);
    // A sign or a leading point ("-3", ".05") belongs to the number.
    if (p - 1 >= pos && (prev === 0x2d || prev === 0x2e)) {
      re.lastIndex = p - 1;
      const m = re.exec(text);
      if (m !== null) return m;
    }
    re.lastIndex = p;
    const m = re.exec(text);
    if (m !== null) return m;
    pos = p + 1;
  }
}
/** Sources: any space may group digits (PDF extraction loses thin spaces). */
const SOURCE_RE = numberRe(' \\u2009');
/** Generated text: only a thin or no-break space groups digits; "in 2019 120 patients" stays two numbers. */
const NOTE_RE = numberRe('\\u2009');

const ALPHA = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]/u;
const SUFFIX_RE = /^\s?([\p{Script=Latin}\p{Script=Greek}µμ°][\p{Script=Latin}\p{Script=Greek}µμ°/0-9]{0,11})/u;

/** Canonical decimal string from digits and a power-of-ten shift: ("1200", 0, -3) → "1.2". */
export function canonicalKey(intPart: string, fracPart: string, shift: number, negative: boolean): string {
  // Most numbers in a paper are already canonical ("12", "0.35"): no leading zero, no trailing one.
  if (
    shift === 0 &&
    intPart.length > 0 &&
    (intPart.charCodeAt(0) !== 48 || intPart.length === 1) &&
    (fracPart.length === 0 || fracPart.charCodeAt(fracPart.length - 1) !== 48)
  ) {
    const body = fracPart.length > 0 ? `${intPart}.${fracPart}` : intPart;
    return negative && body !== '0' ? `-${body}` : body;
  }
  let digits = intPart + fracPart;
  // Position of the decimal point counted from the left of `digits`.
  let point = intPart.length + shift;
  const lead = /^0*/u.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(lead);
  point -= lead;
  if (digits.length === 0) return '0';
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits = digits + '0'.repeat(point - digits.length);
  const int = digits.slice(0, point).replace(/^0+(?=\d)/u, '');
  const frac = digits.slice(point).replace(/0+$/u, '');
  const body = frac.length > 0 ? `${int}.${frac}` : int;
  return negative && body !== '0' ? `-${body}` : body;
}

/** Splits a canonical key into its parts (used to shift by a power of ten or round). */
function parts(key: string): { neg: boolean; int: string; frac: string } {
  const neg = key.startsWith('-');
  const body = neg ? key.slice(1) : key;
  const dot = body.indexOf('.');
  return dot < 0 ? { neg, int: body, frac: '' } : { neg, int: body.slice(0, dot), frac: body.slice(dot + 1) };
}

/** key × 10^shift, exactly. */
export function shiftKey(key: string, shift: number): string {
  const p = parts(key);
  return canonicalKey(p.int, p.frac, shift, p.neg);
}

/** The key rounded half-up to `decimals` digits after the point (string arithmetic, no float error). */
export function roundKey(key: string, decimals: number): string {
  const p = parts(key);
  if (p.frac.length <= decimals) return key;
  const keep = p.int + p.frac.slice(0, decimals);
  const next = Number(p.frac[decimals] ?? '0');
  let digits = keep.split('').map(Number);
  if (next >= 5) {
    let i = digits.length - 1;
    for (; i >= 0; i--) {
      const d = (digits[i] ?? 0) + 1;
      if (d < 10) {
        digits[i] = d;
        break;
      }
      digits[i] = 0;
    }
    if (i < 0) digits = [1, ...digits];
  }
  const s = digits.join('');
  const intLen = s.length - decimals;
  return canonicalKey(s.slice(0, intLen), s.slice(intLen), 0, p.neg);
}

/** Absolute value of a key. */
export function absKey(key: string): string {
  return key.startsWith('-') ? key.slice(1) : key;
}

/** Numeric value (approximate, for "nearest value" suggestions only). */
export function keyValue(key: string): number {
  return Number(key);
}

function unitOf(raw: string | undefined): NumberUnit {
  if (raw === undefined) return 'none';
  if (raw === '‰') return 'permille';
  return 'percent';
}

/**
 * Scans number tokens. On the note side it leaves out digits that belong to names ("COVID-19",
 * "Qwen3-4B", "IL-6", "CD4"): a number directly after a letter, or after a hyphen that follows a
 * letter or such a skipped name.
 */
export function scanNumbers(text: string, side: 'note' | 'source'): NumberToken[] {
  const out: NumberToken[] = [];
  const re = side === 'note' ? NOTE_RE : SOURCE_RE;
  const identifiers = side === 'note' ? 'skip' : 'keep';
  let skippedEnd = -1;
  let resume = 0;
  for (let m = nextMatch(re, text, 0); m !== null; m = nextMatch(re, text, resume)) {
    resume = m.index + m[0].length;
    const [whole, signRaw, mantissa = '', exp10, expE, unitRaw] = m;
    const start = m.index;
    const digitStart = start + (signRaw?.length ?? 0);
    if (identifiers === 'skip') {
      const before = text[digitStart - 1] ?? ' ';
      const before2 = text[digitStart - 2] ?? ' ';
      const isName =
        ALPHA.test(before) ||
        before === '_' ||
        ((before === '-' || before === '/') && (ALPHA.test(before2) || digitStart - 1 === skippedEnd));
      if (isName) {
        // Also skip the rest of a name like "SARS-CoV-2" or "H1N1": resume after this run.
        skippedEnd = digitStart + mantissa.length;
        resume = skippedEnd;
        continue;
      }
    }
    // A sign only counts when it is not the dash of a range ("10-20") or a name.
    let negative = signRaw !== undefined;
    if (negative) {
      const prev = text[start - 1] ?? ' ';
      if (/[\p{L}\p{N}%)\]]/u.test(prev)) negative = false;
    }
    // Plain digits (the usual case) need neither test nor clean-up.
    const grouped = /[, \u2009]/u.test(mantissa);
    const spaceGrouped = grouped && /[ \u2009]\d{3}/u.test(mantissa);
    const clean = grouped ? mantissa.replace(/[, \u2009]/gu, '') : mantissa;
    const dot = clean.indexOf('.');
    const intPart = dot < 0 ? clean : clean.slice(0, dot);
    const fracPart = dot < 0 ? '' : clean.slice(dot + 1);
    const expRaw = exp10 ?? expE;
    const shift = expRaw === undefined ? 0 : Number(expRaw.replace(/\s/gu, ''));
    const key = canonicalKey(intPart, fracPart, shift, negative);
    const tokenStart = negative ? start : digitStart;
    const end = start + whole.length;
    // The free-text unit is for messages about the note; the sources do not need it.
    const suffixMatch = unitRaw === undefined && side === 'note' ? SUFFIX_RE.exec(text.slice(end, end + 14)) : null;
    out.push({
      start: tokenStart,
      end,
      key,
      decimals: Math.max(0, fracPart.length - shift),
      unit: unitOf(unitRaw),
      negative,
      spaceGrouped,
      suffix: suffixMatch?.[1] ?? '',
    });
  }
  return out;
}
