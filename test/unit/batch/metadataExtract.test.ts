import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { extractPaperMetadata, paperMetadataOf, titleFromLayout } from '../../../src/core/batch/metadataExtract';
import type { PdfDocumentMetadata, PdfExtraction, PdfFirstPageLine } from '../../../src/core/pdf/types';

const NOW = new Date('2026-06-01T00:00:00Z');

/** Page 1 as [text, size] rows from the top of a Letter page down, 14 points apart unless a gap is given. */
function page(rows: readonly (readonly [string, number, number?])[]): NonNullable<PdfDocumentMetadata['firstPage']> {
  let y = 740;
  const lines: PdfFirstPageLine[] = rows.map(([text, size, gap]) => {
    y -= gap ?? Math.max(14, size * 1.2);
    return { text, size, x: 72, y };
  });
  return { width: 612, height: 792, lines };
}

const BODY = Array.from({ length: 8 }, (_, i) => [`Body text of the abstract, line ${i + 1}, long enough to count as body.`, 10] as const);

const ARTICLE = page([
  ['Journal of Plant Science 12 (2019) 101–113', 8],
  ['RESEARCH ARTICLE', 12],
  ['Heat stress and the metabolome of', 20],
  ['wheat in the field', 20],
  ['1 2 *', 6],
  ['Ada Lovelace1, Charles BABBAGE2* and Mary Somerville', 11],
  ['1 University of London, London, UK', 8],
  ['Abstract', 12],
  ...BODY,
  ['Published: 3 March 2019. © 2019 The Authors. https://doi.org/10.1234/jps.2019.', 8, 200],
  ['0042', 8],
]);

suite('paper metadata: sources in order', () => {
  test('page 1 alone: the title by its type, the names under it, the DOI across a line break, the year as printed', () => {
    const m = extractPaperMetadata({ document: { firstPage: ARTICLE }, now: NOW });
    assert.equal(m.title, 'Heat stress and the metabolome of wheat in the field');
    assert.deepEqual(m.authors, ['Ada Lovelace', 'Charles Babbage', 'Mary Somerville']);
    assert.equal(m.doi, '10.1234/jps.2019.0042');
    assert.equal(m.year, 2019);
    assert.equal(m.citekey, undefined);
    assert.deepEqual(m.origin, { title: 'firstPage', authors: 'firstPage', doi: 'text', year: 'text' });
    assert.match(m.evidence?.year ?? '', /Published: 3 March 2019/);
  });

  test('the bibliography entry wins over everything the file says', () => {
    const m = extractPaperMetadata({
      bibliography: {
        key: 'lovelace2019heat',
        title: '{Heat} Stress and the Metabolome',
        authors: 'Ada Lovelace, Charles Babbage',
        year: '2020',
        doi: 'https://doi.org/10.5555/XYZ.1',
      },
      document: { info: { title: 'Heat stress and the metabolome of wheat in the field', author: 'Someone Else' }, firstPage: ARTICLE },
      now: NOW,
    });
    assert.deepEqual(
      { title: m.title, authors: m.authors, year: m.year, doi: m.doi, citekey: m.citekey },
      {
        title: 'Heat Stress and the Metabolome',
        authors: ['Ada Lovelace', 'Charles Babbage'],
        year: 2020,
        doi: '10.5555/XYZ.1',
        citekey: 'lovelace2019heat',
      },
    );
    assert.deepEqual(m.origin, {
      citekey: 'bibliography',
      title: 'bibliography',
      authors: 'bibliography',
      doi: 'bibliography',
      year: 'bibliography',
    });
  });

  test('plausible XMP before the info dictionary; junk in either is passed over', () => {
    const m = extractPaperMetadata({
      document: {
        info: { title: 'Microsoft Word - heat_v3.docx', author: 'jsmith', creationDate: "D:20180607221202+05'30'" },
        xmpFields: {
          'dc:title': 'Heat stress and the metabolome of wheat in the field',
          'dc:creator': ['Ada Lovelace', 'Charles Babbage'],
          'prism:doi': '10.1234/xmp.1',
        },
        firstPage: ARTICLE,
      },
      now: NOW,
    });
    assert.equal(m.origin.title, 'xmp');
    assert.deepEqual(m.authors, ['Ada Lovelace', 'Charles Babbage']);
    assert.equal(m.doi, '10.1234/xmp.1');
    assert.equal(m.evidence?.doi, 'XMP prism:doi');
  });

  test('a stated title that page 1 does not print (a template left over) is not believed', () => {
    const m = extractPaperMetadata({
      document: { info: { title: 'Instructions for authors of the conference' }, firstPage: ARTICLE },
      now: NOW,
    });
    assert.equal(m.title, 'Heat stress and the metabolome of wheat in the field');
    assert.equal(m.origin.title, 'firstPage');
  });

  test('the year: an XMP publication date, then page 1, and the file’s creation date only as the last resort', () => {
    const xmp = extractPaperMetadata({
      document: { xmpFields: { 'prism:publicationdate': '2017-11-02', 'xmp:createdate': '2017-10-01' }, firstPage: ARTICLE },
      now: NOW,
    });
    assert.deepEqual([xmp.year, xmp.origin.year], [2017, 'xmp']);
    // A paper typeset in October 2013 for the 2014 volume.
    const printed = extractPaperMetadata({ document: { info: { creationDate: 'D:20131018174505' }, firstPage: ARTICLE }, now: NOW });
    assert.deepEqual([printed.year, printed.origin.year], [2019, 'text']);
    const created = extractPaperMetadata({ document: { info: { creationDate: 'D:20131018174505' } }, now: NOW });
    assert.deepEqual([created.year, created.origin.year], [2013, 'info']);
    assert.match(created.evidence?.year ?? '', /when the file was made/);
  });

  test('nothing stated, nothing invented', () => {
    assert.deepEqual(extractPaperMetadata({}), { origin: {} });
    const plain = page([['A manuscript in body type only, with no title set larger', 10], ...BODY]);
    assert.deepEqual(extractPaperMetadata({ document: { firstPage: plain }, now: NOW }), { origin: {} });
  });

  test('names run together without separators are left unset rather than split on a guess', () => {
    const p = page([
      ['S2ORC: The Semantic Scholar Open Research Corpus', 14.3],
      ['Kyle Lo Lucy Lu Wang Mark Neumann Rodney Kinney Daniel S. Weld', 12],
      ['Allen Institute for Artificial Intelligence', 12],
      ...BODY,
    ]);
    const m = extractPaperMetadata({ document: { firstPage: p }, now: NOW });
    assert.equal(m.title, 'S2ORC: The Semantic Scholar Open Research Corpus');
    assert.equal(m.authors, undefined);
  });

  test('a one-line banner under the title is not taken for a sole author', () => {
    const p = page([
      ['Opportunities and obstacles for deep learning', 22],
      ['in biology and medicine [update in progress]', 22],
      ['Updated Content', 11.4],
      ...BODY,
    ]);
    const m = extractPaperMetadata({ document: { firstPage: p }, now: NOW });
    assert.equal(m.title, 'Opportunities and obstacles for deep learning in biology and medicine');
    assert.equal(m.authors, undefined);
  });

  test('a Chinese title is joined without spaces, and Chinese names are read', () => {
    const p = page([
      ['中国科学：生命科学 2021 年 第 51 卷 第 3 期：101–110', 8],
      ['深度学习在生物医学', 20],
      ['中的应用与挑战', 20],
      ['张三，李四，王五', 11],
      ...BODY,
    ]);
    const m = extractPaperMetadata({ document: { firstPage: p }, now: NOW });
    assert.equal(m.title, '深度学习在生物医学中的应用与挑战');
    assert.deepEqual(m.authors, ['张三', '李四', '王五']);
  });

  test('a DOI labelled as the paper’s own beats a DOI cited earlier on page 1', () => {
    const m = extractPaperMetadata({ firstPageText: 'As shown before (10.1000/cited.1), this holds.\ndoi: 10.1000/own.2', now: NOW });
    assert.equal(m.doi, '10.1000/own.2');
  });
});

suite('paper metadata: title by type', () => {
  test('journal lines, banners and letter-spaced labels set large are not the title', () => {
    const p = page([['R E S E A R C H A R T I C L E', 24], ['ORIGINAL ARTICLE', 24], ['A modest title in large type', 18], ...BODY]);
    assert.equal(titleFromLayout(p)?.title, 'A modest title in large type');
  });

  test('the title is the top run of the largest type, ending at the first line in other type', () => {
    const p = page([
      ['First line of the title', 18],
      ['second line of the title', 18],
      ['A Subtitle in Smaller Type', 14],
      ['Not part of it', 18, 300],
      ...BODY,
    ]);
    assert.equal(titleFromLayout(p)?.title, 'First line of the title second line of the title');
  });
});

suite('paper metadata: from an extraction', () => {
  test('reads the extraction’s metadata and page 1 text; an old cached extraction without metadata still works', () => {
    const base: PdfExtraction = {
      pageCount: 1,
      pagesRead: 1,
      pages: ['Some text. DOI: 10.1234/abc.5 © 2015 The Authors'],
      text: '',
      sections: [],
      stats: { ligaturesRepaired: 0, controlCharsRemoved: 0, hyphenationsJoined: 0, repeatedLinesRemoved: 0, twoColumnPages: 0 },
      characters: 10,
    };
    const m = paperMetadataOf(base, { key: 'k2015' });
    assert.deepEqual([m.doi, m.year, m.citekey], ['10.1234/abc.5', 2015, 'k2015']);
  });
});
