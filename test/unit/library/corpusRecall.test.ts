/**
 * Recall of the library on the real papers in ../shared/corpus/pdf (never copied into the repo): the labelled
 * questions of test/fixtures/library/queries.json must find their page among the first five passages. The floors
 * sit a little under what was measured (every question found, English and Chinese) so that a ranking change that
 * loses a question or two shows here before it shows to users. Skips with a printed reason when the corpus is absent.
 */
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { CORPUS_PDFS, corpusPresent, measureRecall } from './recall';

const FLOOR = { en: 0.9, zh: 0.8 };

suite('library recall on the corpus papers', () => {
  test('recall@5 of the labelled questions stays above the measured floor', { timeout: 600_000 }, async (t) => {
    if (!corpusPresent()) {
      const reason = `corpus PDFs not found in ${CORPUS_PDFS}`;
      console.log(`skipped: ${reason}`);
      t.skip(reason);
      return;
    }
    const result = await measureRecall();
    assert.equal(result.status.indexed, 6, 'every corpus paper indexed');
    assert.equal(result.status.failed, 0);
    const report = `recall@5 en ${result.recall.en.toFixed(2)}, zh ${result.recall.zh.toFixed(2)}; missed: ${JSON.stringify(result.misses)}`;
    assert.ok(result.recall.en >= FLOOR.en, report);
    assert.ok(result.recall.zh >= FLOOR.zh, report);
  });
});
