import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { buildGroundingIndex, checkText, QUOTE_SIMILARITY_THRESHOLD, type GroundingItem } from '../../../src/core/grounding';
import { assemble, GENUINE, PLANTED, SOURCES, SOURCE_EN } from './fixtures';

const index = buildGroundingIndex(SOURCES);

interface Scored {
  readonly genuineOk: number;
  readonly genuineTotal: number;
  readonly plantedFlagged: number;
  readonly plantedTotal: number;
  readonly problems: string[];
}

/** Every marked claim must be an item at exactly its range with the expected status; nothing else may be reported. */
function score(sentences: readonly string[]): Scored {
  const marked = assemble(sentences);
  const result = checkText(marked.text, index);
  const byRange = new Map<string, GroundingItem>(result.items.map((i) => [`${i.start}:${i.end}`, i]));
  const problems: string[] = [];
  let genuineOk = 0;
  let plantedFlagged = 0;
  for (const e of marked.expected) {
    const item = byRange.get(`${e.start}:${e.end}`);
    byRange.delete(`${e.start}:${e.end}`);
    if (item === undefined) {
      problems.push(`not extracted: ${e.text}`);
      continue;
    }
    assert.equal(item.text, e.text);
    if (e.genuine && item.status === 'supported') genuineOk++;
    else if (!e.genuine && item.status === 'unsupported') plantedFlagged++;
    else problems.push(`${e.genuine ? 'genuine' : 'planted'} "${e.text}" → ${item.status} (${item.match ?? item.reason ?? ''})`);
  }
  for (const extra of byRange.values()) problems.push(`unexpected claim "${extra.text}" (${extra.kind}, ${extra.status})`);
  const genuineTotal = marked.expected.filter((e) => e.genuine).length;
  return { genuineOk, genuineTotal, plantedFlagged, plantedTotal: marked.expected.length - genuineTotal, problems };
}

void suite('grounding: fixtures (English and Chinese, format variants)', () => {
  void test('genuine figures and quotes are supported, planted ones are all flagged, nothing else is reported', () => {
    const g = score(GENUINE);
    const p = score(PLANTED);
    const genuine = g.genuineOk + p.genuineOk;
    const genuineTotal = g.genuineTotal + p.genuineTotal;
    console.log(
      `grounding fixtures: genuine supported ${genuine}/${genuineTotal} (${((100 * genuine) / genuineTotal).toFixed(1)}%), planted flagged ${p.plantedFlagged}/${p.plantedTotal} (${((100 * p.plantedFlagged) / p.plantedTotal).toFixed(1)}%)`,
    );
    assert.deepEqual([...g.problems, ...p.problems], []);
    assert.ok(genuineTotal >= 40 && p.plantedTotal >= 20, 'fixture set is large enough');
    assert.equal(p.plantedFlagged, p.plantedTotal);
    assert.equal(genuine, genuineTotal);
  });

  void test('quote similarities: damaged genuine quotes above the threshold, paraphrases below or caught by the guard', () => {
    const rows: string[] = [];
    for (const set of [GENUINE, PLANTED]) {
      const marked = assemble(set);
      for (const item of checkText(marked.text, index).items.filter((i) => i.kind === 'quote')) {
        rows.push(
          `${item.status.padEnd(11)} sim=${(item.nearest?.similarity ?? 0).toFixed(3)} ${item.reason ?? item.match ?? ''} «${item.text.slice(0, 50)}»`,
        );
      }
    }
    console.log(`quote similarity (threshold ${QUOTE_SIMILARITY_THRESHOLD}):\n  ${rows.join('\n  ')}`);
    assert.ok(rows.length >= 10);
  });

  void test('items carry the nearest match: source, offset, page and snippet', () => {
    const text = 'Response was 72.4% but adherence was 76%.';
    const [found, invented] = checkText(text, index).items;
    assert.equal(found?.status, 'supported');
    assert.equal(found?.nearest?.sourceId, SOURCE_EN.id);
    assert.equal(SOURCE_EN.text.slice(found!.nearest!.start, found!.nearest!.end), '72.4%');
    assert.equal(found?.nearest?.page, 2);
    assert.match(found?.nearest?.snippet ?? '', /response rate was 72\.4%/u);
    assert.equal(invented?.status, 'unsupported');
    assert.equal(text.slice(invented!.start, invented!.end), '76%');
    // The nearest source percentage to 76% is 72.4% (offered as "open nearest match").
    assert.equal(invented?.nearest?.matched, '72.4%');
  });

  void test('a quote with an invented middle part reports the nearest passage', () => {
    const text = '“The odds ratio for remission was 2.31 in every single subgroup”';
    const [item] = checkText(text, index).items;
    assert.equal(item?.status, 'unsupported');
  });

  void test('the header counts supported of checked', () => {
    const r = checkText('Rates were 72.4% and 99.9%; “Exercise did not increase the risk of falls”.', index);
    assert.equal(r.checked, 3);
    assert.equal(r.supported, 2);
    assert.equal(r.header, 'figures checked: 2/3');
  });

  void test('without readable sources everything is unsupported (reason noSources)', () => {
    const empty = buildGroundingIndex([{ ...SOURCE_EN, status: 'missing', text: '' }]);
    const r = checkText('It was 72.4%.', empty);
    assert.equal(r.items[0]?.reason, 'noSources');
    assert.equal(r.header, 'figures checked: 0/1');
  });

  void test('page markers of PDF text support no figure', () => {
    const r = checkText(
      'The effect appeared on 3 occasions.',
      buildGroundingIndex([{ ...SOURCE_EN, text: '[page 3]\nNothing numeric here.' }]),
    );
    assert.equal(r.items[0]?.status, 'unsupported');
  });
});
