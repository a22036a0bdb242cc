/**
 * Character-level clean-up of PDF text: NFKC (ligature code points such as U+FB01 become "fi"), glyphs
 * without a Unicode mapping (pdf.js yields U+0000 where a ligature had no ToUnicode entry; PDFium U+FFFE),
 * control characters from symbol fonts, and de-hyphenation that keeps real compounds.
 */
/* eslint-disable no-control-regex -- matching control characters is what this module is for */

/** Placeholder for a glyph the PDF did not map to Unicode (almost always an ff/fi/fl/ffi/ffl ligature). */
const MISSING_GLYPH = /[\u0000\uFFFE]/;
const MISSING_GLYPH_G = /[\u0000\uFFFE]/g;
// C0/C1 controls other than tab and newline, private-use code points from symbol fonts, and U+FFFD.
const CONTROL_G = /[\u0001-\u0008\u000B-\u001F\u007F-\u009F\uE000-\uF8FF\uFFFD]/g;

const LIGATURES = ['ff', 'fi', 'fl', 'ffi', 'ffl'] as const;

/**
 * Common words with ff/fi/fl ligatures, for when the document itself never spells the word cleanly.
 * The document's own vocabulary is consulted first.
 */
const SEED_WORDS = new Set(
  (
    'different difference differences differently differential differentiation differentiated effect effects effective effectively effectiveness ' +
    'efficient efficiency efficacy sufficient sufficiently insufficient coefficient coefficients difficult difficulty difficulties office officer official ' +
    'offer offers offered affect affected affects affinity afford effort efforts offspring suffer staff stiff diffuse diffusion traffic buffer ' +
    'significant significantly significance insignificant specific specifically specificity specified specify classification classified classifier ' +
    'identify identified identification modified modification modify define defined defines definition definitions definite infinite refine refined ' +
    'figure figures first field fields final finally find finding findings fine fit fits fitted fitting five fix fixed fiber fibre fibers filter filtered ' +
    'filtering file files fill filled film profile profiles profiling confirm confirmed confidence confident benefit benefits beneficial artificial ' +
    'scientific justified quantified amplified amplification purified purification simplified unified verified certified notified magnification ' +
    'fluorescence fluorescent fluid fluids flow flows workflow overflow influence influenced influences inflammation inflammatory reflect reflects ' +
    'reflected reflection conflict conflicts flexible flexibility flux flat flag flagged float floor flight fly flies flanking flank flavor flavour ' +
    'inflow outflow fledged off tradeoff tradeoffs shuffle shuffled shuffling flip flipped flipping reflective inflection satisfies satisfied ' +
    'Jeffrey Geoffrey Hoffman Stafford cliff affiliation affiliations affiliated'
  )
    .toLowerCase()
    .split(' '),
);

/** A document's word counts; the prefix counts the ligature repair needs are built on first use and kept with them. */
export class Vocabulary extends Map<string, number> {
  private prefixCounts: Map<string, number> | undefined;
  /** The ligature the document's words have between two letters, by "prev|next" (see ligatureByContext). */
  readonly ligatureContexts = new Map<string, string | undefined>();
  /** Whether the document's or the dictionary's words hold a letter sequence (see occursInWords). */
  readonly occurrences = new Map<string, boolean>();

  /** Prefix counts of the words with a possible ligature and of the seed words. */
  prefixes(): ReadonlyMap<string, number> {
    return (this.prefixCounts ??= countPrefixes(this));
  }
}

/**
 * Lower-cased word counts of clean words (letters only, no missing glyphs) in the document, given line by line.
 * The halves of a word broken at a line end ("lineariza-" / "tion") are not whole words and are not counted:
 * counted, they would make every real break look like a compound of two known words.
 */
export function buildVocabulary(texts: Iterable<string>): Vocabulary {
  const vocab = new Vocabulary();
  let brokenBefore = false;
  for (const text of texts) {
    const words = text.toLowerCase().match(/\p{L}+(?:-\p{L}+)*/gu) ?? [];
    const brokenAfter = /\p{L}[-\u00AD]$/u.test(text.slice(-3));
    const from = brokenBefore && /^\p{L}/u.test(text) ? 1 : 0;
    const to = brokenAfter ? words.length - 1 : words.length;
    for (let i = from; i < to; i++) {
      const word = words[i] ?? '';
      vocab.set(word, (vocab.get(word) ?? 0) + 1);
    }
    brokenBefore = brokenAfter;
  }
  return vocab;
}

/** Guess from the letters around the missing glyph, used only when no candidate matches a known word. */
function guessLigature(prev: string, next: string, after: string): string {
  switch (next) {
    case '':
      return 'ff'; // o-ff, trade-o-ff, sta-ff
    case 'c':
      return prev === 'i' ? 'fi' : 'ffi'; // speci-fi-c, signi-fi-cant vs e-ffi-cient, di-ffi-cult
    case 'e':
      if (after === 's' || after === 'd') return 'fi'; // satis-fi-es, identi-fi-ed
      return prev === '' ? 'fi' : 'ff'; // fi-eld vs di-ff-erent, e-ff-ect
    case 'i':
      return prev === '' ? 'fl' : 'ffl'; // fl-ipping vs shu-ffl-ing
    case 'n':
      return prev === 'a' ? 'ffi' : 'fi'; // a-ffi-nity vs de-fi-ne
    case 'r':
      return prev === 'e' || prev === 'o' ? 'ff' : 'fi'; // Je-ff-rey vs fi-rst
    case 'm':
      return prev === 'o' || prev === 'u' ? 'ff' : 'fi'; // Ho-ff-man vs con-fi-rm? (fi-rm handled by r)
    case 'u':
      return prev === 'i' ? 'ff' : 'fl'; // di-ff-usion vs in-fl-uence, fl-uid
    case 'o':
      return 'aeiu'.includes(prev) && prev !== '' ? 'ff' : 'fl'; // e-ff-ort, a-ff-ord, Gi-ff-ord vs fl-ow, work-fl-ow
    case 'a':
      return 'fl'; // fl-at, in-fl-ammation
    case 'y':
      return 'fl'; // brie-fl-y, chie-fl-y
    case 's':
      return after === '' ? 'ff' : 'fi'; // cuto-ff-s vs fi-sh
    default:
      return 'fi'; // fi-gure, fi-t, fi-ve
  }
}

/** How many known words start like the candidate does up to one letter past the repaired glyph. */
function prefixScore(candidate: string, glyphEnd: number, prefixes: ReadonlyMap<string, number>): number {
  const prefix = candidate.slice(0, Math.min(candidate.length, glyphEnd + 1)).toLowerCase();
  return prefixes.get(prefix) ?? 0;
}

/** Prefix counts of the vocabulary's words that may hold a ligature, and of the seed words. */
function countPrefixes(vocab: ReadonlyMap<string, number>): Map<string, number> {
  const prefixes = new Map<string, number>();
  const add = (word: string): void => {
    for (let i = 2; i <= Math.min(word.length, 16); i++) {
      const p = word.slice(0, i);
      prefixes.set(p, (prefixes.get(p) ?? 0) + 1);
    }
  };
  for (const word of vocab.keys()) if (/f[fil]/.test(word)) add(word);
  for (const word of SEED_WORDS) add(word);
  return prefixes;
}

/**
 * The ligature the document's own clean words most often have between the same two letters ("^" and "$" for a
 * word's start and end), or undefined when none of its words has any of them there.
 */
function ligatureByContext(prev: string, next: string, vocab: Vocabulary): string | undefined {
  const cache = vocab.ligatureContexts;
  const key = `${prev}|${next}`;
  if (cache.has(key)) return cache.get(key);
  let best: string | undefined;
  let bestCount = 0;
  for (const lig of LIGATURES) {
    const needle = `${prev === '' ? '^' : prev}${lig}${next === '' ? '$' : next}`;
    let count = 0;
    for (const [word, n] of vocab) if (`^${word}$`.includes(needle)) count += n;
    if (count > bestCount) {
      bestCount = count;
      best = lig;
    }
  }
  cache.set(key, best);
  return best;
}

/** Whether any clean word of the document or of the dictionary holds these letters ("^"/"$": a word's start/end). */
function occursInWords(letters: string, vocab: Vocabulary): boolean {
  const cache = vocab.occurrences;
  let seen = cache.get(letters);
  if (seen === undefined) {
    seen = false;
    for (const word of vocab.keys()) if (`^${word}$`.includes(letters)) seen = true;
    for (const word of SEED_WORDS) if (!seen && `^${word}$`.includes(letters)) seen = true;
    cache.set(letters, seen);
  }
  return seen;
}

/** Left where a missing glyph cannot be told from the document or a dictionary (a name, a hash): a visible gap. */
export const UNREPAIRED_GLYPH = '\uFFFD';

/**
 * Repairs words holding a missing-glyph placeholder. A repair is made when the result is a word of the document
 * or of the dictionary, or starts or ends like one; otherwise by the ligature the document's own words have
 * between the same letters; otherwise by the letters around the glyph (in a name only when known words have
 * the resulting letter pairs). Letter-digit runs (hashes, identifiers) and letters no known word has next to a ligature (the
 * name "Pandol…", never "lff") are not guessed at: the glyph stays a visible gap (U+FFFD).
 * Returns the text and how many glyphs were repaired.
 */
export function repairLigatures(text: string, vocab: Vocabulary): { text: string; repaired: number } {
  if (!MISSING_GLYPH.test(text)) return { text, repaired: 0 };
  let repaired = 0;
  const out = text.replace(/[\p{L}\u0000\uFFFE]*[\u0000\uFFFE][\p{L}\u0000\uFFFE]*/gu, (word, offset: number) => {
    const parts = word.split(MISSING_GLYPH_G);
    const gaps = parts.length - 1;
    // Part of a run with digits ("44\u000095a", a commit hash or an identifier): no ligature belongs there.
    if (/\p{N}/u.test(text.charAt(offset - 1)) || /\p{N}/u.test(text.charAt(offset + word.length))) {
      return parts.join(UNREPAIRED_GLYPH);
    }
    let best = '';
    let bestScore = 0;
    // Try every combination for up to two placeholders (a word rarely has more).
    const choices = gaps <= 2 ? combos(gaps) : [];
    for (const combo of choices) {
      let candidate = parts[0] ?? '';
      let glyphEnd = 0;
      let tail = '';
      combo.forEach((lig, i) => {
        candidate += lig;
        if (i === 0) glyphEnd = candidate.length;
        if (i === 0) tail = lig + (parts[1] ?? '');
        candidate += parts[i + 1] ?? '';
      });
      const lower = candidate.toLowerCase();
      // A whole known word beats a known beginning ("differentiate" from "different…").
      // A compound ending in a known word ("brightfield") scores like a known beginning.
      const tailWord = tail.toLowerCase();
      const tailScore =
        gaps === 1 && (parts[0] ?? '').length > 2 && tailWord.length > 3
          ? (vocab.get(tailWord) ?? 0) + (SEED_WORDS.has(tailWord) ? 1 : 0)
          : 0;
      const score =
        (vocab.get(lower) ?? 0) * 1000 + (SEED_WORDS.has(lower) ? 500 : 0) + prefixScore(candidate, glyphEnd, vocab.prefixes()) + tailScore;
      if (score > bestScore) {
        bestScore = score;
        best = candidate;
      }
    }
    if (bestScore > 0) {
      repaired += gaps;
      return best;
    }
    best = parts[0] ?? '';
    for (let i = 1; i < parts.length; i++) {
      const prev = (parts[i - 1] ?? '').slice(-1).toLowerCase();
      const rest = (parts[i] ?? '').toLowerCase();
      const next = rest.charAt(0);
      let lig = ligatureByContext(prev, next, vocab);
      if (lig === undefined) {
        // The letter rule: in a name (a word with a capital) only when known words have the resulting letter
        // pairs ("Pandol" + "ff": no word has "lff").
        const guess = guessLigature(prev, next, rest.charAt(1));
        const name = /\p{Lu}/u.test(word);
        if (!name || (occursInWords((prev || '^') + guess, vocab) && occursInWords(guess + (next || '$'), vocab))) lig = guess;
      }
      if (lig === undefined) best += UNREPAIRED_GLYPH;
      else {
        best += lig;
        repaired++;
      }
      best += parts[i] ?? '';
    }
    return best;
  });
  // A placeholder outside a word (between spaces): nothing to repair, drop it.
  return { text: out.replace(MISSING_GLYPH_G, ''), repaired };
}

function combos(n: number): string[][] {
  if (n === 0) return [[]];
  const rest = combos(n - 1);
  return LIGATURES.flatMap((l) => rest.map((r) => [l, ...r]));
}

/** NFKC plus removal of control characters; returns how many control characters went. */
export function normaliseChars(text: string): { text: string; removed: number } {
  let removed = 0;
  // Keep U+0000 for repairLigatures (NFKC leaves it alone); soft hyphens are handled at line ends.
  // Symbol fonts often draw spaces with control-code glyphs (PLOS ONE: U+0003): a space keeps words apart.
  const cleaned = text.normalize('NFKC').replace(CONTROL_G, () => {
    removed++;
    return ' ';
  });
  return { text: cleaned, removed };
}

/**
 * Joins a line that ends in a hyphen with the next one. Drops the hyphen when the joined word is known
 * (or both parts are lower-case syllables of an unknown word), keeps it for real compounds such as
 * "DNA-protein" or "non-linear" when the document spells them with a hyphen.
 */
/** Longest word stem considered when joining a hyphenated line break (longer runs are not words). */
const MAX_STEM = 64;

export function joinHyphenated(left: string, right: string, vocab: Vocabulary): { text: string; dropped: boolean } {
  // Only the tail: an end-anchored regex over the whole paragraph so far would make joining quadratic.
  const stem = /(\p{L}+)[-\u00AD]$/u.exec(left.slice(-MAX_STEM))?.[1] ?? '';
  const head = /^(\p{L}+)/u.exec(right)?.[1] ?? '';
  const soft = left.endsWith('\u00AD');
  const base = left.slice(0, -1);
  if (stem === '' || head === '') return { text: `${left}${right}`, dropped: false };
  const joined = (stem + head).toLowerCase();
  const hyphenated = `${stem}-${head}`.toLowerCase();
  const joinedCount = vocab.get(joined) ?? 0;
  const hyphenCount = vocab.get(hyphenated) ?? 0;
  let drop: boolean;
  if (soft) drop = true;
  else if (joinedCount > hyphenCount) drop = true;
  else if (hyphenCount > 0) drop = false;
  // Two words the document uses on their own ("automatically-detected") form a compound.
  else if (stem.length > 3 && head.length > 3 && (vocab.get(stem.toLowerCase()) ?? 0) > 0 && (vocab.get(head.toLowerCase()) ?? 0) > 0)
    drop = false;
  // Unknown word: syllable breaks are lower-case on both sides; capitals or digits mean a compound (DNA-protein).
  else drop = /^\p{Ll}+$/u.test(stem) && /^\p{Ll}/u.test(head);
  return drop ? { text: base + right, dropped: true } : { text: `${base}-${right}`, dropped: false };
}
