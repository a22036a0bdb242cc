import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { layoutPdf } from '../../../src/core/pdf/layout';
import type { PdfTextItem } from '../../../src/core/pdf/types';

/** One text run at (x, y); widths are approximate (what matters here is the order and the gaps). */
function run(str: string, x: number, y: number, size = 10, perChar = size * 0.5): PdfTextItem {
  return { str, x, y, w: str.length * perChar, size, rotated: false, eol: false };
}

function lines(texts: readonly string[], yTop: number, size = 10, perChar = size * 0.5): PdfTextItem[] {
  return texts.map((t, i) => run(t, 72, yTop - i * size * 1.6, size, perChar));
}

suite('PDF section titles and footnote markers', () => {
  test('Chinese numbered headings are sections; a footnote marker does not split a word', () => {
    const items = [
      ...lines(['1 引言'], 720, 10, 10),
      ...lines(['深度学习在生物医学中的应用越来越广泛，本文比较了三种方法的准确率与召回率。'], 700, 10, 10),
      ...lines(['2 概述'], 660, 10, 10),
      // "因此" with a raised footnote marker "1" in 6 pt type between the two characters.
      run('我们的方法较为简单，因', 72, 640, 10, 10),
      run('1', 182, 644, 6, 3),
      run('此适合大规模数据。', 185, 640, 10, 10),
      ...lines(['4.1 数据收集'], 600, 10, 10),
      ...lines(['数据来自三家医院的电子病历，共计四百一十二名患者。'], 580, 10, 10),
    ];
    const r = layoutPdf([{ page: 1, width: 612, height: 792, items }]);
    const titles = r.sections.map((s) => s.title);
    assert.ok(titles.includes('2 概述'), titles.join(' | '));
    assert.ok(titles.includes('4.1 数据收集'), titles.join(' | '));
    assert.equal(r.sections.find((s) => s.title === '4.1 数据收集')?.level, 2);
    assert.match(r.text, /因此适合大规模数据/);
  });

  test('a table number in smaller type on the baseline is kept ("表 3"), unlike a raised footnote marker', () => {
    const items = [
      ...lines(['深度学习在生物医学中的应用越来越广泛，本文比较了三种方法的准确率与召回率。'], 700, 10, 10),
      // "表" in 10 pt, its number in a 7 pt Latin font on the same baseline, then the caption.
      run('如表', 72, 660, 10, 10),
      run('3', 92, 660, 7, 3.5),
      run('所示，三种方法的差异显著。', 96, 660, 10, 10),
    ];
    const r = layoutPdf([{ page: 1, width: 612, height: 792, items }]);
    assert.match(r.text, /如表 ?3 ?所示/);
  });

  test('letter-spaced table headers and figure or table labels are not section titles', () => {
    const body = (n: number): string[] =>
      Array.from({ length: 4 }, (_, i) => `Body sentence ${n}.${i} of the paper runs across the whole line of the page here.`);
    const items = [
      ...lines(['1 Introduction'], 740, 10),
      ...lines(body(1), 720),
      run('P A R T I C I P A N T S', 72, 640, 13),
      ...lines(body(2), 620),
      run('Figure 3 Distribution of the scores', 72, 540, 13),
      ...lines(body(3), 520),
      run('Table 2 Baseline characteristics', 72, 440, 13),
      ...lines(body(4), 420),
      ...lines(['2 Methods'], 340, 10),
      ...lines(body(5), 320),
    ];
    const r = layoutPdf([{ page: 1, width: 612, height: 792, items }]);
    assert.deepEqual(
      r.sections.map((s) => s.title),
      ['1 Introduction', '2 Methods'],
    );
    assert.match(r.text, /P A R T I C I P A N T S/, 'the header text itself is kept');
  });
});
