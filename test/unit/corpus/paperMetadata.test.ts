/**
 * Paper metadata of the real PDFs in ../shared/corpus/pdf (never copied into the repo), read through the PDF
 * engine as the batch reads them. Each test skips with a printed reason when its PDF is absent. The expected
 * values are the papers' own, checked against the PDFs by hand.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { paperMetadataOf, titleFromLayout } from '../../../src/core/batch/metadataExtract';
import type { PdfExtraction } from '../../../src/core/pdf/types';
import { extractPdfText } from '../../../src/pdf/engine';

const CORPUS = join(__dirname, '../../../../shared/corpus/pdf');

interface Truth {
  readonly file: string;
  readonly title: string;
  readonly year: number;
  /** Undefined where the PDF does not print its DOI on page 1 or in its metadata. */
  readonly doi: string | undefined;
  /** First and last author, and how many; undefined where no source lists them unambiguously. */
  readonly authors: readonly [string, string, number] | undefined;
}

const PAPERS: readonly Truth[] = [
  {
    file: 'biomed_clinsci_2014_ace-inhibitor-fragment-design.pdf',
    title: 'Fragment-based design for the development of N-domain-selective angiotensin-1-converting enzyme inhibitors',
    // The file was made in October 2013; the paper is in the 2014 volume ("© 2014" on page 1).
    year: 2014,
    doi: '10.1042/CS20130403',
    authors: ['Ross G. Douglas', 'Edward D. Sturrock', 8],
  },
  {
    file: 'clin_bmc-hsr_2014_quality-improvement-malawi.pdf',
    title:
      'Understanding the barriers to setting up a healthcare quality improvement process in resource-limited settings: a situational analysis at the Medical Department of Kamuzu Central Hospital in Lilongwe, Malawi',
    year: 2014,
    // Its DOI (10.1186/1472-6963-14-1) is printed only on the last page; the info Title is a job number.
    doi: undefined,
    authors: ['Josephine Nana Afrakoma Agyeman-Duah', 'Florian Neuhann', 5],
  },
  {
    file: 'cs_s2orc_acl2020.pdf',
    title: 'S2ORC: The Semantic Scholar Open Research Corpus',
    year: 2020,
    doi: undefined,
    authors: ['Kyle Lo', 'Daniel Weld', 5],
  },
  {
    file: 'genomics_vespa_peerjcs_2017.pdf',
    title: 'VESPA: Very large-scale Evolutionary and Selective Pressure Analyses',
    year: 2017,
    doi: '10.7717/peerj-cs.118',
    authors: ['Andrew E. Webb', 'Mary J. O’Connell', 3],
  },
  {
    file: 'omics_plosone_2018_wheat-heat-stress-metabolomics.pdf',
    title: 'Comparative physiological and metabolomics analysis of wheat (Triticum aestivum L.) following post-anthesis heat stress',
    year: 2018,
    doi: '10.1371/journal.pone.0197919',
    authors: ['Kayla Thomason', 'Greg MacDonald', 6],
  },
  {
    file: 'review_deep-review_dl-biology-medicine_v2-2021.pdf',
    // Page 1 adds "[update in progress]" to the title of this build.
    title: 'Opportunities and obstacles for deep learning in biology and medicine',
    year: 2021,
    // Page 1 names the DOI of the published version 1.0 of this manuscript.
    doi: '10.1098/rsif.2017.0387',
    // The authors follow a banner and are in randomised order: not taken.
    authors: undefined,
  },
];

function available(file: string, t: { skip: (reason: string) => void }): boolean {
  if (existsSync(join(CORPUS, file))) return true;
  const reason = `corpus PDF ${file} not found in ${CORPUS}`;
  console.log(`skipped: ${reason}`);
  t.skip(reason);
  return false;
}

function extract(file: string, offMainThread = false): Promise<PdfExtraction> {
  return extractPdfText(new Uint8Array(readFileSync(join(CORPUS, file))), { name: file, offMainThread });
}

suite('paper metadata of the corpus (../shared/corpus/pdf)', () => {
  for (const truth of PAPERS) {
    test(`${truth.file}: title, year, DOI and authors as the paper states them`, async (t) => {
      if (!available(truth.file, t)) return;
      const extraction = await extract(truth.file);
      const m = paperMetadataOf(extraction);
      assert.equal(m.title, truth.title);
      assert.equal(m.year, truth.year, `year from ${m.evidence?.year ?? '?'}`);
      assert.equal(m.doi, truth.doi);
      if (truth.authors === undefined) assert.equal(m.authors, undefined);
      else {
        const [firstAuthor, lastAuthor, count] = truth.authors;
        assert.deepEqual([m.authors?.[0], m.authors?.at(-1), m.authors?.length], [firstAuthor, lastAuthor, count]);
      }
      assert.equal(m.citekey, undefined, 'no citekey without a bibliography entry');
      // The title by type size alone finds the same title, whatever the metadata says.
      const firstPage = extraction.metadata?.firstPage;
      assert.ok(firstPage, 'page 1 lines are handed over');
      assert.equal(titleFromLayout(firstPage)?.title, truth.title);
    });
  }

  test('the info dictionary and XMP come through the worker pool too, a split 122-page read included', async (t) => {
    const plos = PAPERS[4]?.file ?? '';
    const review = PAPERS[5]?.file ?? '';
    if (!available(plos, t) || !available(review, t)) return;
    const [short, long] = await Promise.all([extract(plos, true), extract(review, true)]);
    assert.equal(short.metadata?.xmpFields?.['dc:title'], PAPERS[4]?.title);
    assert.match(short.metadata?.xmp ?? '', /<x:xmpmeta|<rdf:RDF/);
    assert.equal(short.metadata?.info?.title, PAPERS[4]?.title);
    assert.equal(long.pageCount, 122);
    assert.match(long.metadata?.info?.creationDate ?? '', /^D:2021/);
    assert.equal(paperMetadataOf(long).title, PAPERS[5]?.title);
  });
});
