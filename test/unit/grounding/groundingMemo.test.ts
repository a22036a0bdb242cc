import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { InMemoryKeyValueStore } from '../../../src/core/cache/extractionCache';
import { GroundingMemo } from '../../../src/core/grounding/groundingMemo';
import { groundBlock } from '../../../src/core/grounding/noteGrounding';
import type { Source } from '../../../src/core/sources/types';
import { SOURCE_EN } from './fixtures';
import { freshGrounding, SUMMARY_BODY, SUMMARY_SPEC } from './memoFixtures';

const spec = SUMMARY_SPEC;
const body = SUMMARY_BODY;
/** A grounding as a new process has it: nothing of the sources indexed, the persisted store shared. */
const fresh = freshGrounding;

void suite('grounding: verdicts remembered for answers served from the cache', () => {
  void test('a cached answer on the same sources gets the first check’s verdicts without indexing its sources', async () => {
    const store = new InMemoryKeyValueStore();
    const first = await fresh(store).groundAnswer(body, spec, [SOURCE_EN], false);
    assert.deepEqual(first, groundBlock(body, spec, [SOURCE_EN]), 'the same as an unremembered check');
    assert.equal(first.spec.attributes.figures, '1/2');

    const again = fresh(store);
    const cached = await again.groundAnswer(body, spec, [SOURCE_EN], true);
    assert.deepEqual(cached, first);
    // Not vacuous: a check does index the source.
    const checked = fresh(new InMemoryKeyValueStore());
    await checked.groundAnswer(body, spec, [SOURCE_EN], true);
    assert.equal(checked.indexes.isIndexed(SOURCE_EN), true);
    assert.equal(again.indexes.isIndexed(SOURCE_EN), false, 'the source was not indexed');
  });

  void test('a changed source, a changed answer, or a fresh answer is checked again', async () => {
    const store = new InMemoryKeyValueStore();
    await fresh(store).groundAnswer(body, spec, [SOURCE_EN], false);
    // The paper's 72.4% became 74.2%: its text differs, so the remembered verdict does not apply.
    assert.ok(SOURCE_EN.text.includes('72.4%'));
    const edited: Source = { ...SOURCE_EN, text: SOURCE_EN.text.replace(/72\.4%/g, '74.2%') };
    const g = fresh(store);
    const r = await g.groundAnswer(body, spec, [edited], true);
    assert.deepEqual(r, groundBlock(body, spec, [edited]));
    assert.equal(r.spec.attributes.figures, '0/2');
    assert.equal(g.indexes.isIndexed(edited), true);
    const other = fresh(store);
    await other.groundAnswer(`${body}- A third figure: 12%.\n`, spec, [SOURCE_EN], true);
    assert.equal(other.indexes.isIndexed(SOURCE_EN), true);
    const notCached = fresh(store);
    await notCached.groundAnswer(body, spec, [SOURCE_EN], false);
    assert.equal(notCached.indexes.isIndexed(SOURCE_EN), true, 'a fresh answer is always checked');
  });

  void test('a damaged or foreign entry is a miss, not a failure', async () => {
    const store = new InMemoryKeyValueStore();
    const memo = new GroundingMemo(store);
    const first = await fresh(store).groundAnswer(body, spec, [SOURCE_EN], false);
    const key = [...store.map.keys()][0] ?? '';
    assert.ok(key.startsWith('grounding-v'));
    for (const bad of ['{', '{"body":"x","checked":3,"supported":1,"items":[]}', 'null']) {
      store.map.set(key, bad);
      assert.equal(await memo.get(key), undefined, bad);
      assert.deepEqual(await fresh(store).groundAnswer(body, spec, [SOURCE_EN], true), first);
    }
  });
});
