import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { isAssistantError } from '../../../src/core/errors';
import { extractPdfText } from '../../../src/pdf/engine';
import { engine } from '../../../src/pdf';
import {
  cjkPdf,
  predefinedCmapPdf,
  corruptPdfs,
  encryptedPdf,
  headerFooterPdf,
  hyphenationPdf,
  imageOnlyPdf,
  ligaturePdf,
  sectionsPdf,
  twoColumnPdf,
} from '../../fixtures/pdf-gen/generate';

async function rejectsWith(promise: Promise<unknown>, reason: string, file: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAssistantError(error), `expected AssistantError, got ${String(error)}`);
    assert.equal(error.code, 'SourceUnreadable');
    assert.equal(error.data['reason'], reason);
    assert.ok(error.message.includes(file), `message names the file: ${error.message}`);
    return true;
  });
}

suite('PDF extraction (generated fixtures)', () => {
  test('two columns are read left column first, never interleaved', async () => {
    const result = await extractPdfText(await twoColumnPdf(), { name: 'two.pdf' });
    const text = result.text;
    assert.equal(result.stats.twoColumnPages, 1);
    const lastLeft = text.indexOf('Left column sentence number 30 ends here.');
    const firstRight = text.indexOf('Right column sentence number 1 ends here.');
    assert.ok(lastLeft > 0 && firstRight > 0, 'both columns present');
    assert.ok(lastLeft < firstRight, 'the whole left column comes before the right column');
    assert.ok(text.indexOf('A Study of Column Order') < text.indexOf('This abstract spans'), 'title before abstract');
    assert.ok(
      text.indexOf('This abstract spans') < text.indexOf('Left column sentence number 1 '),
      'full-width abstract before the columns',
    );
    assert.doesNotMatch(text, /Left column sentence number \d+ ends here\. Right/);
  });

  test('de-hyphenation joins split words and keeps real compounds', async () => {
    const result = await extractPdfText(await hyphenationPdf(), { name: 'hyph.pdf' });
    assert.match(result.text, /main experiment twice/);
    assert.match(result.text, /DNA-protein binding/);
    assert.match(result.text, /is non-linear in the dose/);
    assert.ok(result.stats.hyphenationsJoined >= 1);
  });

  test('ligature code points become plain letters (NFKC)', async (t) => {
    const bytes = await ligaturePdf();
    if (!bytes) return t.skip('DejaVu Sans not installed (apt fonts-dejavu-core)');
    const result = await extractPdfText(bytes, { name: 'lig.pdf' });
    assert.match(result.text, /The first significant finding: the flow was fixed\./);
    assert.doesNotMatch(result.text, /[\uFB00-\uFB06]/);
  });

  test('CJK text from Noto Sans CJK comes out as Chinese characters', async (t) => {
    const bytes = await cjkPdf();
    if (!bytes) return t.skip('Noto CJK not installed (apt fonts-noto-cjk)');
    const result = await extractPdfText(bytes, { name: 'cjk.pdf' });
    assert.match(result.text, /深度学习在生物医学中的应用/);
    assert.match(result.text, /本研究比较了三种方法的准确率。/);
  });

  test('CJK text in a non-embedded font with a predefined CMap (UniGB-UCS2-H) is read through the bundled CMaps', async () => {
    const result = await extractPdfText(await predefinedCmapPdf(), { name: 'gb.pdf' });
    assert.match(result.text, /深度学习在生物医学中的应用/);
  });

  test('running headers, page-number footers and watermark lines are removed; page markers kept', async () => {
    const result = await extractPdfText(await headerFooterPdf(5), { name: 'hf.pdf' });
    assert.doesNotMatch(result.text, /Journal of Reproducible Tests/);
    assert.doesNotMatch(result.text, /Page \d of 5/);
    assert.doesNotMatch(result.text, /Downloaded from/);
    for (let p = 1; p <= 5; p++) {
      assert.match(result.text, new RegExp(`\\[page ${p}\\]\\n\\nBody text of page ${p} talks about result number ${p * 7}\\.`));
    }
    assert.equal(result.pages.length, 5);
  });

  test('section titles are detected and the references section is kept apart', async () => {
    const result = await extractPdfText(await sectionsPdf(), { name: 'sec.pdf' });
    const titles = result.sections.map((s) => `${s.title}|${s.role}`);
    assert.deepEqual(titles, ['1 Introduction|body', '2 Methods|body', '3 Results|body', 'References|references']);
    assert.match(result.sections[3]?.text ?? '', /Smith J\. A paper about genes/);
    assert.equal(result.sections[2]?.location.page, 1);
  });

  test('encrypted, corrupt, empty and image-only PDFs give a clear error naming the file', async () => {
    await rejectsWith(extractPdfText(await encryptedPdf(), { name: 'locked.pdf' }), 'encrypted', 'locked.pdf');
    const { garbage, truncated } = corruptPdfs();
    await rejectsWith(extractPdfText(garbage, { name: 'garbage.pdf' }), 'corrupt', 'garbage.pdf');
    await rejectsWith(extractPdfText(truncated, { name: 'cut.pdf' }), 'corrupt', 'cut.pdf');
    await rejectsWith(extractPdfText(new Uint8Array(0), { name: 'empty.pdf' }), 'empty', 'empty.pdf');
    await rejectsWith(extractPdfText(await imageOnlyPdf(), { name: 'scan.pdf' }), 'imageOnly', 'scan.pdf');
  });

  test('page-parallel extraction on worker threads gives the same text as one thread', async () => {
    const bytes = await headerFooterPdf(20);
    const one = await extractPdfText(bytes, { name: 'long.pdf', workers: 1 });
    const two = await extractPdfText(bytes, { name: 'long.pdf', workers: 2 });
    assert.equal(two.text, one.text);
    assert.equal(two.pages.length, 20);
    assert.match(two.text, /\[page 20\]\n\nBody text of page 20 /);
  });

  test('the extension entry extracts off the main thread, with the same result and the same errors', async () => {
    const bytes = await sectionsPdf();
    const here = await extractPdfText(bytes, { name: 'sec.pdf' });
    const off = await engine.pdf.extract(bytes, { name: 'sec.pdf' });
    assert.deepEqual(off, here);
    await rejectsWith(engine.pdf.extract(await encryptedPdf(), { name: 'locked.pdf' }), 'encrypted', 'locked.pdf');
  });

  test('a page limit reads only the first pages and says how many there are', async () => {
    const result = await extractPdfText(await headerFooterPdf(5), { name: 'hf.pdf', maxPages: 2 });
    assert.equal(result.pageCount, 5);
    assert.equal(result.pagesRead, 2);
    assert.doesNotMatch(result.text, /page 3 talks/);
  });
});
