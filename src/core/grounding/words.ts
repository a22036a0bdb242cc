/**
 * Word-level comparison of a near-verbatim quote with the passage it matched. The character
 * similarity finds the passage; this decides whether the differences are extraction damage or a
 * misquote. Damage looks like: a word split by a dropped ligature glyph ("di erent"), a word split
 * at a line break ("evalu ation"), one misread character in a long word. A misquote is a word the
 * passage does not have ("useful" for "effective", "0.77" for "0.72") or a word the quote drops
 * ("not"). Each word on either side must be accounted for on the other.
 */
import { normalizeForNumbers } from './normalize';

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}]+/gu;

export function words(text: string): string[] {
  const norm = normalizeForNumbers(text).text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');
  return norm.match(TOKEN) ?? [];
}

/** `damaged` is `word` with one contiguous run of at most 3 characters dropped (a lost ligature glyph). */
function isDropped(word: string, damaged: string): boolean {
  const gap = word.length - damaged.length;
  if (gap < 1 || gap > 3) return false;
  let p = 0;
  while (p < damaged.length && word[p] === damaged[p]) p++;
  return word.slice(p + gap) === damaged.slice(p);
}

/** Same length, one character different, long words only (an OCR misreading, not "affect"/"effect"). */
function isMisread(word: string, other: string): boolean {
  if (word.length < 7 || word.length !== other.length) return false;
  let diff = 0;
  for (let i = 0; i < word.length && diff < 2; i++) if (word[i] !== other[i]) diff++;
  return diff === 1;
}

/**
 * Words of `a` that `b` cannot account for, even allowing for extraction damage. `skipEdges` leaves
 * out the first and last word of `a` (a passage cut by the alignment in the middle of a word).
 */
export function unaccounted(a: readonly string[], b: readonly string[], skipEdges = false): string[] {
  const counts = new Map<string, number>();
  for (const w of b) counts.set(w, (counts.get(w) ?? 0) + 1);
  // Joined neighbours of b: a word split in two or three pieces by the extraction.
  const joined = new Set<string>();
  for (let i = 0; i < b.length; i++) {
    if (CJK.test(b[i] ?? '')) continue;
    const two = (b[i] ?? '') + (b[i + 1] ?? '');
    joined.add(two);
    joined.add(two + (b[i + 2] ?? ''));
  }
  const missing: string[] = [];
  const from = skipEdges ? 1 : 0;
  const to = skipEdges ? a.length - 1 : a.length;
  for (let i = from; i < to; i++) {
    const w = a[i] ?? '';
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      counts.set(w, n - 1);
      continue;
    }
    if (CJK.test(w)) {
      missing.push(w);
      continue;
    }
    if (joined.has(w)) continue;
    let repaired = false;
    for (const c of [...b, ...joined]) {
      if (isDropped(w, c) || isDropped(c, w) || isMisread(w, c)) {
        repaired = true;
        break;
      }
    }
    // The other side of a split word: "di" and "erent" are the start and end of "different" in b.
    if (!repaired && w.length >= 2 && b.some((x) => x.length > w.length + 1 && (x.startsWith(w) || x.endsWith(w)))) repaired = true;
    if (!repaired) missing.push(w);
  }
  return missing;
}
