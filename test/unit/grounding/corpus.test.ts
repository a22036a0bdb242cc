/**
 * Grounding on real papers (../shared/corpus/pdf, read through the project's own PDF engine): quotes
 * and figures taken from the extracted text must all be supported, and the same quotes with one word
 * changed, or the figures with one digit changed, must all be flagged. Skips with a printed reason
 * when the corpus is absent.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { buildGroundingIndex, checkText } from '../../../src/core/grounding';
import { normalizeForNumbers } from '../../../src/core/grounding/normalize';
import { roundKey, scanNumbers } from '../../../src/core/grounding/numbers';
import type { Source } from '../../../src/core/sources/types';
import { extractPdfText } from '../../../src/pdf/engine';

const CORPUS = join(import.meta.dirname, '../../../../shared/corpus/pdf');
const PAPERS = ['clin_bmc-hsr_2014_quality-improvement-malawi.pdf', 'genomics_vespa_peerjcs_2017.pdf'];
const available = PAPERS.every((p) => existsSync(join(CORPUS, p)));
if (!available) console.log(`grounding corpus test skipped: ${CORPUS} does not hold ${PAPERS.join(', ')}`);

/** Sentences of the extracted text that make reasonable quotations: 60–220 characters, mostly words. */
function sentences(text: string): string[] {
  return text
    .replace(/\[page \d+\]/gu, ' ')
    .split(/(?<=[.!?])\s+/u)
    .map((s) => s.replace(/\s+/gu, ' ').trim())
    .filter(
      (s) => s.length >= 60 && s.length <= 220 && /^[A-Z]/u.test(s) && !/["“”]/u.test(s) && (s.match(/[a-z]{4,}/gu)?.length ?? 0) >= 8,
    );
}

/** Replaces the middle long word with another word of the sentence's vocabulary that it does not contain here. */
function changeOneWord(sentence: string, k: number): string | undefined {
  const ws = [...sentence.matchAll(/\b[a-z]{6,}\b/gu)];
  const target = ws[Math.floor(ws.length / 2)];
  if (!target) return undefined;
  const replacements = ['increased', 'decreased', 'improved', 'reduced', 'excluded', 'rejected', 'confirmed'];
  const word = replacements.find((r, i) => (i + k) % replacements.length >= 0 && r !== target[0] && !sentence.includes(r));
  if (!word) return undefined;
  return sentence.slice(0, target.index) + word + sentence.slice(target.index + target[0].length);
}

void suite('grounding: real papers', { skip: available ? false : 'corpus absent (../shared/corpus/pdf)' }, () => {
  void test('quotes and figures from the paper pass; one-word and one-digit changes are flagged', async () => {
    const sources: Source[] = [];
    for (const name of PAPERS) {
      const x = await extractPdfText(new Uint8Array(readFileSync(join(CORPUS, name))), { name, workers: 1 });
      sources.push({
        id: name,
        uri: `file:///corpus/${name}`,
        title: name,
        kind: 'pdf',
        status: 'ok',
        text: x.text,
        sections: x.sections,
        tokenEstimate: 0,
      });
    }
    const index = buildGroundingIndex(sources);
    const picked = sources.flatMap((s) => {
      const all = sentences(s.text);
      // Every n-th sentence: spread over the whole paper, deterministic.
      const step = Math.max(1, Math.floor(all.length / 20));
      return all.filter((_, i) => i % step === 0).slice(0, 20);
    });
    assert.ok(picked.length >= 30, `only ${picked.length} sentences picked`);

    const genuine = checkText(picked.map((s) => `- “${s}”`).join('\n'), index);
    const quotesOk = genuine.items.filter((i) => i.kind === 'quote' && i.status === 'supported').length;
    const quotesAll = genuine.items.filter((i) => i.kind === 'quote').length;

    const changed = picked.map((s, k) => changeOneWord(s, k)).filter((s): s is string => s !== undefined);
    const planted = checkText(changed.map((s) => `- “${s}”`).join('\n'), index);
    const quotesFlagged = planted.items.filter((i) => i.kind === 'quote' && i.status === 'unsupported').length;

    // Figures: number tokens spread over the papers, as written, must be supported; with one digit changed to a value the
    // paper never contains, they must be flagged.
    const figures = sources.flatMap((s) => {
      const norm = normalizeForNumbers(s.text.replace(/\[page \d+\]/gu, ' ')).text;
      const tokens = scanNumbers(norm, 'note')
        .map((t) => norm.slice(t.start, t.end))
        .filter((f) => /\d{3,}|\d\.\d/u.test(f));
      const step = Math.max(1, Math.floor(tokens.length / 30));
      return tokens.filter((_, i) => i % step === 0).slice(0, 30);
    });
    const figureCheck = checkText(figures.map((f) => `- value ${f}`).join('\n'), index);
    const figuresOk = figureCheck.items.filter((i) => i.status === 'supported').length;
    // Values the papers hold in any form (as written, or rounded): a mutation landing on one of them is not invented.
    const held = new Set<string>();
    for (const s of sources) {
      for (const t of scanNumbers(normalizeForNumbers(s.text).text, 'source')) {
        held.add(t.key);
        for (let d = 0; d < t.decimals; d++) held.add(roundKey(t.key, d));
      }
    }
    const keyOf = (f: string): string => scanNumbers(normalizeForNumbers(f).text, 'note')[0]?.key ?? '';
    const mutated = figures
      .map((f) => f.replace(/\d(?=\D*$)/u, (d) => String((Number(d) + 3) % 10)))
      .filter((f) => !held.has(keyOf(f)) && !held.has(String(Number(keyOf(f)) / 100)) && !held.has(String(Number(keyOf(f)) * 100)));
    const mutatedCheck = checkText(mutated.map((f) => `- value ${f}`).join('\n'), index);
    const mutatedFlagged = mutatedCheck.items.filter((i) => i.status === 'unsupported').length;

    console.log(
      `corpus grounding: genuine quotes ${quotesOk}/${quotesAll}, changed quotes flagged ${quotesFlagged}/${changed.length}, genuine figures ${figuresOk}/${figureCheck.checked}, changed figures flagged ${mutatedFlagged}/${mutatedCheck.checked}`,
    );
    const misses = genuine.items
      .filter((i) => i.status !== 'supported')
      .map((i) => `${i.reason} ${i.nearest?.similarity?.toFixed(3)} «${i.text}» ≈ «${i.nearest?.matched ?? ''}»`);
    assert.deepEqual(misses, []);
    assert.equal(quotesAll, picked.length);
    const passed = planted.items.filter((i) => i.status === 'supported').map((i) => `«${i.text}»`);
    assert.deepEqual(passed, []);
    assert.equal(figuresOk, figureCheck.checked);
    assert.ok(mutatedCheck.checked >= 10, `only ${mutatedCheck.checked} mutated figures`);
    const notFlagged = mutatedCheck.items
      .filter((i) => i.status === 'supported')
      .map((i) => `${i.text} (${i.match ?? ''} ≈ ${i.nearest?.matched ?? ''})`);
    assert.deepEqual(notFlagged, []);
    assert.equal(mutatedFlagged, mutatedCheck.checked);
  });
});
