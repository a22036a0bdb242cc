/**
 * The source index, built for speed (cold grounding has a 100 ms budget): one normalisation pass for both forms, number variants derived at
 * look-up time, indexes shared by text, quote look-up by exact pieces before the q-gram index, and
 * the build ahead of the check (GroundingIndexCache.prepare).
 */
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { buildGroundingIndex, checkText, GroundingIndexCache, type GroundingItem } from '../../../src/core/grounding';
import { normalizeForNumbers, normalizeSource, toQuoteForm } from '../../../src/core/grounding/normalize';
import { absKey, keyValue, roundKey, scanNumbers, shiftKey, type NumberUnit } from '../../../src/core/grounding/numbers';
import { textFingerprint } from '../../../src/core/grounding/sourceIndex';
import type { Source } from '../../../src/core/sources/types';
import { assemble, GENUINE, PLANTED, SOURCES, SOURCE_EN, SOURCE_ZH } from './fixtures';

function source(id: string, text: string): Source {
  return { id, uri: `file:///ws/${id}`, title: id, kind: 'pdf', status: 'ok', text, sections: [], tokenEstimate: 0 };
}

/** Deterministic filler prose (no digits), so sizes and positions in the tests are exact. */
function prose(words: number, seed: number): string {
  const vocab = [
    'patients',
    'outcome',
    'analysis',
    'cohort',
    'baseline',
    'treatment',
    'reported',
    'measured',
    'significant',
    'interval',
    'sample',
    'observed',
    'clinical',
    'effect',
    'study',
    'group',
  ];
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(vocab[(x >>> 16) % vocab.length]!);
  }
  return out.join(' ');
}

// ---- A reference model of the number look-up as it was before variants were derived at look-up time:
// every source number indexed under each key it supports (itself, without sign, as percent/proportion,
// rounded to each shorter precision), first posting per kind/unit/precision, best rank wins.
type Kind = 'exact' | 'fromPercent' | 'toPercent' | 'unsigned' | 'rounded';
interface RefPosting {
  start: number;
  unit: NumberUnit;
  decimals: number;
  kind: Kind;
}
const RANK: Record<Kind, number> = { exact: 0, fromPercent: 2, toPercent: 2, unsigned: 3, rounded: 4 };

function referenceIndex(text: string): Map<string, RefPosting[]> {
  const map = new Map<string, RefPosting[]>();
  const add = (key: string, p: RefPosting): void => {
    const list = map.get(key) ?? [];
    if (!list.some((q) => q.kind === p.kind && q.unit === p.unit && (p.kind !== 'rounded' || q.decimals === p.decimals))) list.push(p);
    map.set(key, list);
  };
  const norm = normalizeForNumbers(text.replace(/\[page \d+\]/gu, (m) => ' '.repeat(m.length)));
  for (const t of scanNumbers(norm.text, 'source')) {
    const start = norm.map[t.start]!;
    const p = (kind: Kind, decimals = t.decimals): RefPosting => ({ start, unit: t.unit, decimals, kind });
    add(t.key, p('exact'));
    if (t.negative) add(absKey(t.key), p('unsigned'));
    if (t.unit === 'percent') add(shiftKey(t.key, -2), p('fromPercent'));
    else if (t.unit === 'none' && t.decimals > 0 && Math.abs(keyValue(t.key)) <= 1) add(shiftKey(t.key, 2), p('toPercent'));
    for (let d = 0; d < t.decimals; d++) if (roundKey(t.key, d) !== t.key) add(roundKey(t.key, d), p('rounded', d));
  }
  return map;
}

function referenceFind(
  map: Map<string, RefPosting[]>,
  v: { key: string; unit: NumberUnit; decimals: number; negative: boolean },
): { start: number; rank: number } | undefined {
  let best: { start: number; rank: number } | undefined;
  for (const p of map.get(v.key) ?? []) {
    let rank: number;
    if (p.kind === 'exact') rank = p.unit === v.unit ? 0 : 5;
    else if (p.kind === 'fromPercent') {
      if (v.unit !== 'none') continue;
      rank = 2;
    } else if (p.kind === 'toPercent') {
      if (v.unit !== 'percent') continue;
      rank = 2;
    } else if (p.kind === 'unsigned') {
      if (v.negative) continue;
      rank = 3;
    } else {
      if (p.decimals !== v.decimals) continue;
      rank = p.unit === v.unit ? RANK.rounded : 6;
    }
    if (best === undefined || rank < best.rank) best = { start: p.start, rank };
  }
  return best;
}

/** The nearest source number as before: per unit class, sorted by value (stable), the neighbours of the claim's value. */
function referenceNearest(texts: readonly string[], v: { key: string; unit: NumberUnit }): { source: number; start: number } | undefined {
  const x = Number(v.key);
  const unit = v.unit === 'percent' ? 'percent' : 'none';
  let best: { source: number; value: number; start: number } | undefined;
  texts.forEach((text, source) => {
    const norm = normalizeForNumbers(text.replace(/\[page \d+\]/gu, (m) => ' '.repeat(m.length)));
    const list = scanNumbers(norm.text, 'source')
      .filter((t) => t.unit === unit)
      .map((t) => ({ value: Number(t.key), start: norm.map[t.start]! }))
      .sort((a, b) => a.value - b.value);
    const lo = list.findIndex((c) => c.value >= x);
    const at = lo < 0 ? list.length : lo;
    for (const c of [list[at - 1], list[at]]) {
      if (c !== undefined && (best === undefined || Math.abs(c.value - x) < Math.abs(best.value - x))) best = { source, ...c };
    }
  });
  if (best === undefined) return undefined;
  const scale = Math.max(Math.abs(x), Math.abs(best.value));
  return scale === 0 || Math.abs(best.value - x) <= 0.25 * scale ? best : undefined;
}

void suite('grounding: source index', () => {
  void test('one pass builds both forms exactly as the two-step normalisation does', () => {
    const samples = [
      SOURCE_EN.text,
      SOURCE_ZH.text,
      '[page 1]\nThe ﬁnal analy-\n  sis: ７２％ of 1\u2009000 (−3·5 × 10⁻²) \u00ADin\u200Bvisible “Café” 𝑥𝟏 ǆ İstanbul ﬃ\n\n[page 2]\nevalu-\n\n[page 3]\nation 3.5‰ \u3000end',
      'no markers at all, ascii only: 12 345 and 1,000.5%',
      '',
    ];
    for (const text of samples) {
      const markers = [...text.matchAll(/\[page \d+\]/gu)].map((m): [number, number] => [m.index, m.index + m[0].length]);
      const blanked = text.replace(/\[page \d+\]/gu, (m) => ' '.repeat(m.length));
      const numbers = normalizeForNumbers(blanked);
      const quotes = toQuoteForm(numbers);
      const both = normalizeSource(text, markers);
      assert.equal(both.numberForm.text, numbers.text);
      assert.deepEqual([...both.numberForm.map], [...numbers.map]);
      assert.equal(both.quoteForm.text, quotes.text);
      assert.deepEqual([...both.quoteForm.map], [...quotes.map]);
    }
  });

  void test('number look-ups derive the format variants from the claim: same places as indexing every variant', () => {
    // Every number of the sources, and values next to them, as claims: each must be found where the
    // reference finds it (or be unsupported where the reference has nothing).
    const raw = new Set<string>();
    for (const s of SOURCES) {
      for (const t of scanNumbers(normalizeForNumbers(s.text).text, 'source')) {
        const unit = t.unit === 'percent' ? '%' : '';
        raw.add(`${t.key}${unit}`);
        raw.add(`${roundKey(t.key, 0)}${unit}`);
        raw.add(`${roundKey(t.key, 1)}${unit}`);
        raw.add(`${absKey(t.key)}${unit}`);
        raw.add(`${shiftKey(t.key, 2)}%`);
        raw.add(shiftKey(t.key, -2));
        raw.add(`${shiftKey(t.key, 1)}${unit}`);
        raw.add(`${keyValue(t.key) + 0.5}${unit}`);
      }
    }
    const refs = SOURCES.map((s) => referenceIndex(s.text));
    const index = buildGroundingIndex(SOURCES);
    let compared = 0;
    for (const claim of raw) {
      const text = `The value was ${claim.startsWith('-') ? '\u2212' + claim.slice(1) : claim} overall.`;
      const result = checkText(text, index);
      const item: GroundingItem | undefined = result.items[0];
      const v = scanNumbers(normalizeForNumbers(text).text, 'note')[0];
      if (item === undefined || v === undefined || result.items.length !== 1) continue;
      let expected: { source: number; start: number; rank: number } | undefined;
      refs.forEach((map, source) => {
        const found = referenceFind(map, v);
        if (found !== undefined && (expected === undefined || found.rank < expected.rank)) expected = { source, ...found };
      });
      compared++;
      if (expected === undefined) {
        assert.equal(item.status, 'unsupported', `${claim}: the reference finds nothing`);
        const near = referenceNearest(
          SOURCES.map((s) => s.text),
          v,
        );
        assert.equal(item.nearest?.sourceId, near === undefined ? undefined : SOURCES[near.source]!.id, `${claim}: nearest`);
        assert.equal(item.nearest?.start, near?.start, `${claim}: nearest`);
      } else {
        assert.equal(item.status, 'supported', `${claim}: the reference finds it at ${expected.start}`);
        assert.equal(item.nearest?.sourceId, SOURCES[expected.source]!.id, claim);
        assert.equal(item.nearest?.start, expected.start, claim);
      }
    }
    assert.ok(compared > 100, `compared ${compared} claims`);
  });

  void test('the index of a text is shared by Source objects with that text; matches name the source checked', () => {
    const cache = new GroundingIndexCache();
    const text = `[page 1]\n${prose(400, 1)} The response rate was 72.4% overall. ${prose(400, 2)}`;
    const a = source('papers/a.pdf', text);
    const first = cache.build([a]);
    // The same paper read again (a new Source object, a new string with the same characters).
    const b = source('papers/b.pdf', [...text].join(''));
    const again = cache.build([b]);
    assert.equal(again.sources[0]!.index, first.sources[0]!.index);
    assert.equal(checkText('About 72% responded.', again).items[0]?.nearest?.sourceId, 'papers/b.pdf');
    // Same length, one digit different at a character the fingerprint does not sample (same key): not shared.
    const rate = text.indexOf('72.4');
    const at = [rate, rate + 1, rate + 3].find((i) => (i - 256) % 7 !== 0)!;
    const changed = source('papers/c.pdf', `${text.slice(0, at)}${text[at] === '8' ? '9' : '8'}${text.slice(at + 1)}`);
    assert.equal(textFingerprint(changed.text), textFingerprint(text));
    const other = cache.build([changed]);
    assert.notEqual(other.sources[0]!.index, first.sources[0]!.index);
    assert.equal(checkText('The rate was 72.4%.', other).items[0]?.status, 'unsupported');
    // After the cache is emptied a new object is indexed again; a live object keeps its index.
    cache.clear();
    assert.equal(cache.build([a]).sources[0]!.index, first.sources[0]!.index);
    assert.notEqual(cache.build([source('papers/d.pdf', [...text].join(''))]).sources[0]!.index, first.sources[0]!.index);
  });

  void test('the cache is bounded (2.5 M characters): the least recently used text goes first', () => {
    const cache = new GroundingIndexCache();
    // Three texts of ~0.9 M characters: the third pushes the total over the bound.
    const texts = [1, 2, 3].map((i) => `Text ${i}. ${prose(100_000, 30 + i)}`);
    const first = texts.map((t, i) => cache.build([source(`papers/t${i}.pdf`, t)]).sources[0]!.index);
    const again = (i: number): unknown => cache.build([source(`papers/u${i}.pdf`, texts[i]!)]).sources[0]!.index;
    assert.equal(again(2), first[2]);
    assert.equal(again(1), first[1]);
    assert.notEqual(again(0), first[0], 'evicted: indexed again');
  });

  void test('quotes: near-verbatim ones are found from exact pieces without the q-gram index; only a distant one builds it', () => {
    const cache = new GroundingIndexCache();
    const sentence = 'Structured exercise reduced the hazard of hospital admission by 0.72 in older adults with diabetes';
    const text = `${prose(3000, 3)}. ${sentence}. ${prose(3000, 4)}`;
    const src = source('papers/long.pdf', text);
    const index = cache.build([src]);
    const part = index.sources[0]!.index;
    const verbatim = checkText(`They wrote "${sentence}".`, index).items[0];
    assert.equal(verbatim?.status, 'supported');
    assert.equal(verbatim?.match, 'exact');
    const changedNumber = checkText(`They wrote "${sentence.replace('0.72', '0.77')}".`, index).items[0];
    assert.equal(changedNumber?.status, 'unsupported');
    assert.equal(changedNumber?.reason, 'numberDiffers');
    const droppedWord = checkText(`They wrote "${sentence.replace('reduced', 'did not reduce')}".`, index).items[0];
    assert.equal(droppedWord?.status, 'unsupported');
    assert.equal(part.hasGrams, false, 'no q-gram index for near-verbatim quotes');
    // A paraphrase shares only scattered q-grams: the wide search (and its index) is needed for its nearest passage.
    const paraphrase = checkText(
      'They wrote "Organised exercising cut the hazard of hospital admission by 0.72 among elderly adults with diabetes".',
      index,
    ).items[0];
    assert.equal(paraphrase?.status, 'unsupported');
    assert.equal(part.hasGrams, true);
    assert.equal(paraphrase?.reason, 'lowSimilarity');
    assert.ok((paraphrase?.nearest?.matched ?? '').includes('hospital admission'));
  });

  void test('a check gives the same items whether the q-gram index is built (prepared) or not (cold)', async () => {
    const cache = new GroundingIndexCache();
    const long = source('papers/long.pdf', `${prose(3000, 5)}. ${SOURCE_EN.text} ${prose(3000, 6)}`);
    const text = `${assemble([...GENUINE, ...PLANTED]).text}\nThey wrote "Organised exercising cut the hazard of hospital admission among elderly adults".`;
    const sources = [...SOURCES, long].map((s) => ({ ...s }));
    const cold = checkText(text, cache.build(sources));
    const fresh = sources.map((s) => ({ ...s }));
    const warm = new GroundingIndexCache();
    await warm.prepare(fresh);
    assert.ok(fresh.every((s) => warm.isIndexed(s, true)));
    const prepared = checkText(text, warm.build(fresh));
    assert.deepEqual(prepared.items, cold.items);
    assert.ok(
      cold.items.some((i) => i.kind === 'quote' && i.status === 'supported') &&
        cold.items.some((i) => i.kind === 'quote' && i.status === 'unsupported'),
    );
  });

  void test('prepare builds every source, then the q-grams, one step per host turn; stops when aborted', async () => {
    const cache = new GroundingIndexCache();
    const sources = [1, 2, 3].map((i) => source(`papers/p${i}.pdf`, `${prose(500, 10 + i)} value ${i}.5%`));
    const missing = { ...source('papers/missing.pdf', ''), status: 'missing' as const };
    let turns = 0;
    const checks: boolean[] = [];
    await cache.prepare([...sources, missing], {
      yieldToHost: async () => {
        // Before each step: what is built so far (the first step runs only after the host's first turn).
        checks.push(cache.isIndexed(sources[0]!));
        turns++;
        await Promise.resolve();
      },
    });
    assert.equal(turns, 6, 'three index steps and three q-gram steps');
    assert.equal(checks[0], false);
    assert.ok(sources.every((s) => cache.isIndexed(s, true)));
    // Already built: nothing to do, no turns taken.
    let more = 0;
    await cache.prepare(sources, {
      yieldToHost: async () => {
        more++;
      },
    });
    assert.equal(more, 0);
    // Aborted after the first step: the rest is left to the check.
    const fresh = [4, 5, 6].map((i) => source(`papers/q${i}.pdf`, `${prose(500, 20 + i)} value ${i}.5%`));
    const controller = new AbortController();
    let steps = 0;
    await cache.prepare(fresh, {
      signal: controller.signal,
      yieldToHost: async () => {
        if (++steps === 2) controller.abort();
      },
    });
    assert.deepEqual(
      fresh.map((s) => cache.isIndexed(s)),
      [true, false, false],
    );
    assert.equal(checkText('A value of 6.5% was seen.', cache.build(fresh)).items[0]?.status, 'supported');
  });
});
