/**
 * Words for the lexical index. Latin-script text is lower-cased, its diacritics folded (`Ångström` and
 * `angstrom` meet) and English plurals stripped; Chinese and Japanese runs are cut into words by
 * `Intl.Segmenter` (present in Node 20 and Electron), since they carry no spaces. The same function serves
 * indexing and queries, so both sides always agree.
 */

// Frequent function words: they carry no meaning for retrieval, and every passage would otherwise hold a
// posting for each of them (a large share of the index's memory).
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if in into ' +
    'is it its itself may me might more most must my no nor not of on or our ours she should so such than that ' +
    'the their them then there these they this those through to too under up us was we were what when where ' +
    'which while who whom why will with would you your also both each either been being over other only own ' +
    'same some very just all any few about above after again against before below between during further ' +
    'here once out off because until among per via et al ' +
    '的 了 是 在 和 与 及 或 也 都 而 就 被 把 对 从 以 之 其 这 那 个 中 上 下 为 有 等 将 并 于'
  ).split(' '),
);

const SEPARATORS = /[^\p{L}\p{N}\p{M}]+/u;
const ASCII_SEPARATORS = /[^a-z0-9]+/;
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const MARKS = /\p{M}+/gu;
const NON_ASCII = /[\u0080-\uffff]/;
const MAX_TOKEN = 40;

/**
 * Chinese word segmentation (ICU's dictionary); stateless, so one serves every index. Made on first use: the first
 * segmenter of a process loads ICU's data (~15 ms), which a command that never tokenizes should not pay at start.
 */
const zhSegmenter = ((): (() => Intl.Segmenter) => {
  let made: Intl.Segmenter | undefined;
  return () => (made ??= new Intl.Segmenter('zh', { granularity: 'word' }));
})();

/** English plurals only: enough to match `networks` with `network` without a stemmer's surprises. */
function stem(word: string): string {
  const n = word.length;
  if (n <= 3 || word.charCodeAt(n - 1) !== 115 /* s */) return word;
  if (word.endsWith('ies') && n > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  return word.slice(0, -1);
}

function pushLatin(word: string, out: string[]): void {
  if (word.length > MAX_TOKEN) return;
  if (NON_ASCII.test(word)) word = word.normalize('NFKD').replace(MARKS, '');
  pushFolded(word, out);
}

function pushFolded(word: string, out: string[]): void {
  if (word.length < 2 ? !(word >= '0' && word <= '9') : STOPWORDS.has(word)) return;
  out.push(stem(word));
}

function pushCjk(run: string, out: string[]): void {
  for (const part of zhSegmenter().segment(run)) {
    if (!part.isWordLike) continue;
    const word = part.segment;
    if (CJK.test(word)) {
      if (!STOPWORDS.has(word)) out.push(word);
    } else pushLatin(word, out);
  }
}

/** The index terms of a text, in order (repeats kept: they are the term frequencies). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  // Most passages are plain ASCII: one test for the whole text spares the per-word checks (a third of the time).
  if (!NON_ASCII.test(lower)) {
    for (const word of lower.split(ASCII_SEPARATORS)) if (word.length > 0 && word.length <= MAX_TOKEN) pushFolded(word, out);
    return out;
  }
  for (const word of lower.split(SEPARATORS)) {
    if (word.length === 0) continue;
    if (NON_ASCII.test(word) && CJK.test(word)) pushCjk(word, out);
    else pushLatin(word, out);
  }
  return out;
}
