/**
 * Optional checks over the real PDFs in ../shared/corpus/pdf (never copied into the repo). Each test skips
 * with a printed reason when the corpus is absent.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import type { PdfExtraction } from '../../../src/core/pdf/types';
import { extractPdfText } from '../../../src/pdf/engine';

const CORPUS = join(__dirname, '../../../../shared/corpus/pdf');
const FILES = {
  clinsci: 'biomed_clinsci_2014_ace-inhibitor-fragment-design.pdf',
  bmc: 'clin_bmc-hsr_2014_quality-improvement-malawi.pdf',
  s2orc: 'cs_s2orc_acl2020.pdf',
  peerj: 'genomics_vespa_peerjcs_2017.pdf',
  plos: 'omics_plosone_2018_wheat-heat-stress-metabolomics.pdf',
  review: 'review_deep-review_dl-biology-medicine_v2-2021.pdf',
} as const;

const cache = new Map<string, Promise<PdfExtraction>>();
function extract(file: string): Promise<PdfExtraction> {
  let p = cache.get(file);
  if (!p) {
    p = extractPdfText(new Uint8Array(readFileSync(join(CORPUS, file))), { name: file });
    cache.set(file, p);
  }
  return p;
}

function available(file: string, t: { skip: (reason: string) => void }): boolean {
  if (existsSync(join(CORPUS, file))) return true;
  const reason = `corpus PDF ${file} not found in ${CORPUS}`;
  console.log(`skipped: ${reason}`);
  t.skip(reason);
  return false;
}

suite('PDF corpus (../shared/corpus/pdf)', () => {
  test('S2ORC page 1: the abstract and the introduction are not interleaved with the right column', async (t) => {
    if (!available(FILES.s2orc, t)) return;
    const r = await extract(FILES.s2orc);
    const page1 = r.pages[0] ?? '';
    assert.match(
      page1,
      /We introduce S2ORC, a large corpus of 81\.1M English-language academic papers spanning many academic disciplines\./,
    );
    // The left column's introduction runs on without the right column's figure caption or text cutting in.
    assert.match(page1, /Academic papers are an increasingly important textual domain for natural language processing \(NLP\) research\./);
    assert.doesNotMatch(page1, /unified source, and Citations are linked/);
    assert.equal(r.sections.filter((s) => s.role === 'references').length, 1);
  });

  test('deep review: the dropped ff/fi/fl ligatures are repaired ("different", never "di erent")', async (t) => {
    if (!available(FILES.review, t)) return;
    const r = await extract(FILES.review);
    assert.equal(r.pageCount, 122);
    assert.doesNotMatch(r.text, /di erent/);
    assert.ok(!r.text.includes('\u0000'), 'no U+0000 placeholders left');
    assert.ok((r.text.match(/\bdifferent\b/g) ?? []).length > 50);
    assert.match(r.text, /\bsignificant/);
    assert.ok(r.stats.ligaturesRepaired > 500);
    assert.ok(r.sections.some((s) => s.role === 'references' && s.text.length > 50_000));
  });

  test('PLOS ONE: no control characters from the symbol font', async (t) => {
    if (!available(FILES.plos, t)) return;
    const r = await extract(FILES.plos);
    // eslint-disable-next-line no-control-regex -- the point of the test
    assert.doesNotMatch(r.text, /[\u0000-\u0008\u000B-\u001F\u007F]/);
    assert.ok(r.stats.controlCharsRemoved > 0);
  });

  test('Clinical Science page 1: the columns under the full-width abstract are read one after the other', async (t) => {
    if (!available(FILES.clinsci, t)) return;
    const page1 = (await extract(FILES.clinsci)).pages[0] ?? '';
    assert.match(
      page1,
      /ACE \(angiotensin-1-converting enzyme; EC 3\.4\.15\.1\) is a zinc dipeptidyl carboxypeptidase that plays a critical role/,
    );
    assert.match(page1, /the C-domain appears to be the prominent\s+site for the production of vasoactive peptide angiotensin II/);
    assert.match(page1, /halt differentiation of the haematopoietic system/);
    assert.doesNotMatch(page1, /INTRODUCTION site|zinc tetrapeptide|differenti-pressure/);
  });

  test('landscape tables on turned pages are read (PeerJ pp. 8-10, BMC pp. 5-6)', async (t) => {
    if (!available(FILES.peerj, t) || !available(FILES.bmc, t)) return;
    const peerj = await extract(FILES.peerj);
    for (const p of [8, 9, 10])
      assert.ok((peerj.pages[p - 1] ?? '').length > 800, `PeerJ page ${p}: ${peerj.pages[p - 1]?.length ?? 0} chars`);
    assert.match(peerj.pages[7] ?? '', /Sample_MSA Homogeneous/);
    const bmc = await extract(FILES.bmc);
    for (const p of [5, 6]) assert.ok((bmc.pages[p - 1] ?? '').length > 1000, `BMC page ${p}: ${bmc.pages[p - 1]?.length ?? 0} chars`);
    assert.match(bmc.pages[4] ?? '', /Respondent group/);
    assert.ok((peerj.stats.turnedPages ?? 0) >= 3 && (bmc.stats.turnedPages ?? 0) >= 2);
  });

  for (const [key, file] of Object.entries(FILES)) {
    test(`${key}: the references section is found and kept apart, page markers present`, async (t) => {
      if (!available(file, t)) return;
      const r = await extract(file);
      const refs = r.sections.filter((s) => s.role === 'references');
      assert.ok(refs.length >= 1, `references in ${file}: ${r.sections.map((s) => s.title).join(' | ')}`);
      assert.ok(refs.every((s) => /^\[page \d+\]/.test(s.text)));
      assert.match(r.text, /^\[page 1\]/);
      assert.ok(r.sections.filter((s) => s.role === 'body').length >= 3, 'body sections detected');
    });
  }
});
