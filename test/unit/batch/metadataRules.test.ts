import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import {
  doiAcrossLines,
  findDois,
  plausibleName,
  plausibleNameList,
  plausibleTitle,
  titleOnPage,
  trimDoi,
  yearOfDate,
  yearOnPage,
} from '../../../src/core/batch/metadataRules';

const NOW = new Date('2026-06-01T00:00:00Z');

suite('metadata rules: titles stated by the file', () => {
  test('word-processor defaults, file names, job numbers, DOIs and placeholders are rejected', () => {
    for (const junk of [
      'Microsoft Word - draft3.docx',
      'untitled',
      'Untitled-1',
      'draft3.docx',
      'C:\\Users\\me\\paper final.pdf',
      '6489122611071476 1..10',
      '10.1371/journal.pone.0197919',
      'doi:10.1042/CS20130403',
      'Paper Title (use style: paper title)',
      'Manuscript',
      'Layout 1',
      '',
      '   ',
    ]) {
      assert.equal(plausibleTitle(junk), undefined, junk);
    }
  });

  test('real titles pass, Chinese ones too, with their spacing tidied', () => {
    assert.equal(plausibleTitle('S2ORC: The Semantic Scholar  Open Research Corpus'), 'S2ORC: The Semantic Scholar Open Research Corpus');
    assert.equal(plausibleTitle('深度学习在生物医学中的应用'), '深度学习在生物医学中的应用');
    assert.equal(plausibleTitle('COVID-19 and the 2020 elections'), 'COVID-19 and the 2020 elections');
  });

  test('a stated title counts only when page 1 prints most of its words', () => {
    const page = 'Journal of Things\nComparative analysis of wheat following heat stress\nA. Author';
    assert.ok(titleOnPage('Comparative analysis of wheat following heat stress', page));
    assert.ok(!titleOnPage('A template title nobody printed on this page', page));
    assert.ok(titleOnPage('深度学习综述', '摘要\n深度学习综述\n张三'));
  });
});

suite('metadata rules: DOIs', () => {
  test('the Crossref pattern, with sentence punctuation and unbalanced parentheses trimmed', () => {
    assert.deepEqual(findDois('see doi: 10.1042/CS20130403. Next (https://doi.org/10.7717/peerj-cs.118).'), [
      '10.1042/CS20130403',
      '10.7717/peerj-cs.118',
    ]);
    assert.equal(trimDoi('10.1016/S0140-6736(20)30183-5;'), '10.1016/S0140-6736(20)30183-5');
    assert.deepEqual(findDois('no DOI here, only 10.12/short and 10.1234'), []);
  });

  test('a DOI broken over a line is joined, a sentence after a DOI is not', () => {
    assert.equal(doiAcrossLines('e0197919. https://doi.org/10.1371/journal.', 'pone.0197919'), '10.1371/journal.pone.0197919');
    assert.equal(doiAcrossLines('doi: 10.1042/CS20130403.', 'Abstract'), undefined);
    assert.equal(doiAcrossLines('doi: 10.1042/CS20130403', '2014'), undefined);
  });
});

suite('metadata rules: names', () => {
  test('footnote marks go, upper-case surnames take the case of a reference list, inverted names turn round', () => {
    assert.equal(plausibleName('Rajni K. SHARMA†'), 'Rajni K. Sharma');
    assert.equal(plausibleName('Kyle Lo1,2*'), 'Kyle Lo');
    assert.equal(plausibleName('Lo, Kyle'), 'Kyle Lo');
    assert.equal(plausibleName('Ludwig van Beethoven'), 'Ludwig van Beethoven');
    assert.equal(plausibleName('张三'), '张三');
  });

  test('affiliations, headings and run-together lists are not names', () => {
    assert.equal(plausibleName('University of Cape Town'), undefined);
    assert.equal(plausibleName('Abstract'), undefined);
    assert.equal(plausibleName('Kyle Lo Lucy Lu Wang Mark Neumann Rodney Kinney'), undefined);
    assert.equal(plausibleName('kylel@allenai.org'), undefined);
  });

  test('a list is taken whole or not at all', () => {
    assert.deepEqual(plausibleNameList('Andrew E. Webb , Thomas A. Walsh and Mary J. O’Connell'), [
      'Andrew E. Webb',
      'Thomas A. Walsh',
      'Mary J. O’Connell',
    ]);
    assert.deepEqual(plausibleNameList('Kyle Lo ; Lucy Lu Wang ; Daniel Weld'), ['Kyle Lo', 'Lucy Lu Wang', 'Daniel Weld']);
    assert.deepEqual(plausibleNameList('Lo, Kyle; Wang, Lucy Lu'), ['Kyle Lo', 'Lucy Lu Wang']);
    assert.deepEqual(plausibleNameList('A. Smith, B. Jones, and C. Brown'), ['A. Smith', 'B. Jones', 'C. Brown']);
    assert.deepEqual(plausibleNameList('张三，李四、王五'), ['张三', '李四', '王五']);
    assert.equal(plausibleNameList('Ross Douglas, Department of Chemistry'), undefined);
    assert.equal(plausibleNameList(''), undefined);
  });
});

suite('metadata rules: years', () => {
  test('ISO, PDF and free-text dates; none in the future', () => {
    assert.equal(yearOfDate('2018-06-07T22:12:02+05:30', NOW), 2018);
    assert.equal(yearOfDate("D:20131018174505+05'30'", NOW), 2013);
    assert.equal(yearOfDate('June 2021', NOW), 2021);
    assert.equal(yearOfDate('2031', NOW), undefined);
    assert.equal(yearOfDate('12345', NOW), undefined);
    assert.equal(yearOfDate(undefined, NOW), undefined);
  });

  test('page 1 statements: "Published" before "©", and the statement is reported', () => {
    assert.deepEqual(yearOnPage('Received: April 14, 2018\nPublished: June 13, 2018\nCopyright: © 2017 Someone', NOW), {
      year: 2018,
      statement: 'Published: June 13, 2018',
    });
    assert.equal(yearOnPage('Submitted 1 December 2016 Accepted 28 April 2017 Published 5 June 2017', NOW)?.year, 2017);
    assert.equal(yearOnPage('July 5 - 10, 2020. ©c2020 Association for Computational Linguistics', NOW)?.year, 2020);
    assert.equal(yearOnPage('网络出版时间：2021-03-02', NOW)?.year, 2021);
    assert.equal(yearOnPage('Clinical Science (2014) 126, 305–313', NOW), undefined);
  });
});
