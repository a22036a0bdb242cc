import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { chineseNumber, extractClaims } from '../../../src/core/grounding/claims';

const claims = (text: string): string[] => extractClaims(text).map((c) => `${c.kind}:${text.slice(c.start, c.end)}`);

void suite('grounding: what is a claim', () => {
  void test('figures with their roles', () => {
    assert.deepEqual(claims('Rate 72% (95% CI 1.2–3.4; p < .05), n = 120, 10–20 mg, in 2019, 3.5 kg.'), [
      'percent:72%',
      'ci:1.2–3.4',
      'pValue:.05',
      'sampleSize:120',
      'range:10–20',
      'year:2019',
      'number:3.5',
    ]);
    assert.deepEqual(claims('OR 2.31 (95% confidence interval [1.45, 3.68]); P = 0.002'), ['number:2.31', 'ci:1.45, 3.68', 'pValue:0.002']);
    assert.deepEqual(claims('有效率为７２％（P＜0.05，95%CI：0.3～0.9），n＝180'), [
      'percent:７２％',
      'pValue:0.05',
      'ci:0.3～0.9',
      'sampleSize:180',
    ]);
  });

  void test('locators, citations, markup and numbering are not claims', () => {
    const text = [
      '<!-- research:summary sources="papers/a 2.pdf" date="2026-11-22" -->',
      '> [!summary] Summary',
      '> 1. Findings (p. 3; pp. 4–5) [@smith2020; @lee2019, p. 7] [^12] [[paper 3.pdf#page=4]] [link](papers/x2.pdf)',
      '## 2. Methods (§2.1, Table 2, Fig. 3a, Section 4.2, Eq. 5, Table S1) see [12] and [3, 4].',
      '- 3) `code 42` https://example.org/v2/42 第3页 表2 图3 the 2nd and 3rd; COVID-19; 95% CI level only',
      '<!-- /research:summary -->',
    ].join('\n');
    assert.deepEqual(claims(text), []);
  });

  void test('quotations: curly, straight, CJK corner brackets; scare-quoted terms are not quotations', () => {
    assert.deepEqual(
      claims('He said “it was a large effect” and "a robust finding overall", 「该方法显著提高了准确率」, a “term”, "two words"'),
      ['quote:it was a large effect', 'quote:a robust finding overall', 'quote:该方法显著提高了准确率', 'quote:two words'],
    );
  });

  void test('figures inside a checked quotation are checked with the quote, not twice', () => {
    assert.deepEqual(claims('“mortality fell by 12% in the first year” and 15%'), [
      'quote:mortality fell by 12% in the first year',
      'percent:15%',
    ]);
  });

  void test('written-out Chinese percentages', () => {
    assert.equal(chineseNumber('七十二'), '72');
    assert.equal(chineseNumber('十五点五'), '15.5');
    assert.equal(chineseNumber('一百'), '100');
    assert.equal(chineseNumber('三百零五'), '305');
    assert.deepEqual(
      extractClaims('有效率为百分之七十二。').map((c) => [c.kind, c.text, c.values[0]?.key]),
      [['percent', '百分之七十二', '72']],
    );
  });

  void test('ellipses split a quotation into pieces that must each be found', () => {
    const [q] = extractClaims('“the intervention … reduced mortality [...] in older adults”');
    assert.deepEqual(q?.quotePieces, ['the intervention', 'reduced mortality', 'in older adults']);
  });
});
