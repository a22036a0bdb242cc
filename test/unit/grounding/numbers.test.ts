import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { normalizeForNumbers, normalizeForQuotes } from '../../../src/core/grounding/normalize';
import { canonicalKey, roundKey, scanNumbers, shiftKey } from '../../../src/core/grounding/numbers';

const keys = (text: string, side: 'note' | 'source' = 'note'): string[] =>
  scanNumbers(normalizeForNumbers(text).text, side).map((t) => `${t.key}${t.unit === 'percent' ? '%' : ''}`);

void suite('grounding: numbers', () => {
  void test('canonical keys are exact decimal strings', () => {
    assert.equal(canonicalKey('', '05', 0, false), '0.05');
    assert.equal(canonicalKey('1200', '', -3, false), '1.2');
    assert.equal(canonicalKey('1', '2', -3, true), '-0.0012');
    assert.equal(canonicalKey('0', '500', 0, false), '0.5');
    assert.equal(canonicalKey('0', '', 0, true), '0');
    assert.equal(shiftKey('57', -2), '0.57');
    assert.equal(shiftKey('0.583', 2), '58.3');
    assert.equal(roundKey('72.45', 1), '72.5');
    assert.equal(roundKey('9.96', 1), '10');
    assert.equal(roundKey('0.049', 2), '0.05');
    assert.equal(roundKey('-2.35', 1), '-2.4');
  });

  void test('format variants read as the same value', () => {
    assert.deepEqual(keys('1,000 and 1000 and 1\u2009000 and 1.0 × 10^3 and 1e3'), ['1000', '1000', '1000', '1000', '1000']);
    assert.deepEqual(keys('72% 72 % 72 percent 72 per cent ７２％ 72％'), ['72%', '72%', '72%', '72%', '72%', '72%']);
    assert.deepEqual(keys('\u22120.5 and \u20130.5 and -0.5'), ['-0.5', '-0.5', '-0.5']);
    assert.deepEqual(keys('4.5 × 10⁻³ and 4.5×10\u22123 and 4.5 x 10^-3'), ['0.0045', '0.0045', '0.0045']);
    assert.deepEqual(keys('p=.001 and 3·5 years'), ['0.001', '3.5']);
  });

  void test('ranges keep their dash apart from a minus sign', () => {
    assert.deepEqual(keys('10–20 and 10-20 and −3 to −1'), ['10', '20', '10', '20', '-3', '-1']);
  });

  void test('digits inside names are not figures in generated text, but are indexed in sources', () => {
    assert.deepEqual(keys('COVID-19, SARS-CoV-2, IL-6, CD4, H1N1, Qwen3-4B and 12 mg'), ['12']);
    assert.ok(keys('COVID-19', 'source').includes('19'));
  });

  void test('digit groups with ordinary spaces are one number only in sources', () => {
    assert.deepEqual(keys('in 2019 120 patients'), ['2019', '120']);
    assert.deepEqual(keys('12 345 visits', 'source'), ['12345']);
    assert.deepEqual(keys('12 345 visits', 'note'), ['12', '345']);
  });

  void test('number form maps every character back to its original offset', () => {
    const text = 'The ﬁnal analy-\n  sis: ７２％ of 1\u2009000.';
    const n = normalizeForNumbers(text);
    assert.equal(n.text, 'The final analysis: 72% of 1\u2009000.');
    const at = n.text.indexOf('72%');
    assert.equal(text.slice(n.map[at]!, n.map[at + 2]! + 1), '７２％');
    assert.equal(n.map[n.text.length], text.length);
  });

  void test('quote form drops case, accents, punctuation, whitespace and hyphenation', () => {
    assert.equal(normalizeForQuotes('Signi\uFB01cant, pre-speci-\nfied “Café”').text, 'significantprespecifiedcafe');
    assert.equal(normalizeForQuotes('该方法，显著 提高').text, '该方法显著提高');
  });
});
