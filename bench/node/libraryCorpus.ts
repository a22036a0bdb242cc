/**
 * Synthetic library text for the index benches: passages of ~250 words drawn from a Zipf-distributed
 * vocabulary (exponent 1, 150,000 words, the top ranks being English function words as in real prose), with
 * one passage in thirty in Chinese (common two-character words, no spaces). Seeded: every run and every
 * engine sees the same passages and queries.
 */
const FUNCTION_WORDS =
  'the of and in to a is for that with as by on are this we be from at an which it or was our can these not their has have its between more than were been also using each other two'.split(
    ' ',
  );
const HANZI =
  '模型数据方法结果研究分析系统学习网络语言信息时间过程问题理论实验社会经济发展环境能源技术设计结构函数参数变化影响作用关系条件特征空间效率算法训练预测误差样本'.split(
    '',
  );

export class Random {
  constructor(private seed: number) {}
  next(): number {
    this.seed = (Math.imul(this.seed ^ (this.seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 12), 0x297a2d39);
    return ((t ^ (t >>> 15)) >>> 0) / 2 ** 32;
  }
}

export interface Corpus {
  readonly passage: (i: number) => string;
  readonly queries: (n: number) => string[];
}

export function syntheticCorpus(seed = 7, vocabularySize = 150_000): Corpus {
  const random = new Random(seed);
  const syllables = 'ka lo mi ne ru ta shi po ve da gre tion ber stat neu ral mor phe lin qua ent ic al is ov ex'.split(' ');
  const vocabulary: string[] = [...FUNCTION_WORDS];
  const seen = new Set(vocabulary);
  while (vocabulary.length < vocabularySize) {
    const n = 2 + Math.floor(random.next() * 3);
    let word = '';
    for (let i = 0; i < n; i++) word += syllables[Math.floor(random.next() * syllables.length)];
    if (random.next() < 0.02) word += String(Math.floor(random.next() * 100));
    if (!seen.has(word)) {
      seen.add(word);
      vocabulary.push(word);
    }
  }
  // Inverse-CDF table: a uniform draw indexes it in O(1); 2^22 slots resolve every rank of the vocabulary.
  const slots = 1 << 22;
  const table = new Uint32Array(slots);
  let harmonic = 0;
  for (let r = 1; r <= vocabularySize; r++) harmonic += 1 / r;
  let cumulative = 0;
  let slot = 0;
  for (let r = 0; r < vocabularySize; r++) {
    cumulative += 1 / ((r + 1) * harmonic);
    const end = Math.min(slots, Math.round(cumulative * slots));
    for (; slot < end; slot++) table[slot] = r;
  }
  for (; slot < slots; slot++) table[slot] = vocabularySize - 1;
  const words: string[] = [];
  const chineseWords = Array.from({ length: 400 }, (_, i) => HANZI[i % HANZI.length]! + HANZI[(i * 7 + 3) % HANZI.length]!);

  const passage = (i: number): string => {
    const r = new Random(seed * 1_000_003 + i);
    if (i % 30 === 29) {
      let text = '';
      for (let w = 0; w < 180; w++) text += chineseWords[Math.floor(r.next() ** 2 * chineseWords.length)] + (w % 12 === 11 ? '。' : '');
      return text;
    }
    words.length = 0;
    for (let w = 0; w < 250; w++) words.push(vocabulary[table[Math.floor(r.next() * slots)]!]!);
    return words.join(' ');
  };

  const queries = (n: number): string[] =>
    Array.from({ length: n }, (_, q) => {
      const r = new Random(seed * 7 + q);
      if (q % 10 === 9) return chineseWords[Math.floor(r.next() * 100)]! + chineseWords[Math.floor(r.next() * 100)]!;
      const k = 2 + Math.floor(r.next() * 4);
      // Query words of middling frequency, as a reader's question mixes common and specific terms.
      return Array.from({ length: k }, () => vocabulary[FUNCTION_WORDS.length + Math.floor(r.next() ** 2 * 20_000)]).join(' ');
    });

  return { passage, queries };
}
