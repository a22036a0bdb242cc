import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { alignIn, buildGramIndex, searchFuzzy } from '../../../src/core/grounding/fuzzy';
import { unaccounted, words } from '../../../src/core/grounding/words';

const diff = (quote: string, passage: string): string[] => [
  ...unaccounted(words(quote), words(passage)),
  ...unaccounted(words(passage), words(quote), true),
];

void suite('grounding: quote matching', () => {
  void test('extraction damage is not a difference', () => {
    assert.deepEqual(diff('the different intensities', 'the di erent intensities'), []);
    assert.deepEqual(diff('the final analysis', 'the  nal analysis'), []);
    assert.deepEqual(diff('a careful evaluation here', 'a careful evalu ation here'), []);
    assert.deepEqual(diff('the randomised trial', 'the randomlsed trial'), []);
  });

  void test('a changed, added or dropped word is a difference', () => {
    assert.deepEqual(diff('mortality increased in older adults', 'mortality decreased in older adults'), ['increased', 'decreased']);
    assert.deepEqual(diff('exercise did increase the risk', 'exercise did not increase the risk'), ['not']);
    assert.deepEqual(diff('the ratio was 0.77 overall', 'the ratio was 0.72 overall'), ['77', '72']);
    assert.deepEqual(diff('the effect on affect was small', 'the effect on effect was small'), ['affect']);
    assert.deepEqual(diff('该方法显著提高了准确率', '该方法显著降低了准确率'), ['提', '高', '降', '低']);
  });

  void test('alignment finds the best substring and its similarity', () => {
    const text = 'xxxxthequickbrownfoxyyyy';
    const hit = alignIn('quikbrown', text, 0, text.length);
    assert.equal(text.slice(hit.start, hit.end), 'quickbrown');
    assert.equal(hit.similarity, 1 - 1 / 9);
  });

  void test('search: verbatim first, then the best approximate place, across several sources', () => {
    const a = buildGramIndex('nothingrelevanthere');
    const b = buildGramIndex('thequickbrownfoxjumpsoverthelazydogandthenrunsawayintotheforest');
    assert.deepEqual(searchFuzzy([a, b], 'jumpsoverthelazydog'), { part: 1, hit: { start: 16, end: 35, similarity: 1 } });
    const near = searchFuzzy([a, b], 'runsawayintotheforrest');
    assert.equal(near?.part, 1);
    assert.ok(near !== undefined && near.hit.similarity > 0.9 && near.hit.similarity < 1);
    assert.equal(searchFuzzy([a, b], 'zzzzzzzzzzzzzzzzzz'), undefined);
  });
});
