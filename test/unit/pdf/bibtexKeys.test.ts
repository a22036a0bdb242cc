import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { bibtexParser } from '../../../src/pdf/bibtex';

suite('BibTeX keys as Zotero / Better BibTeX write them', () => {
  test('a key with ???? (an item without a year) keeps its key, title, authors and attached PDF', async () => {
    const entries = await bibtexParser.parse(
      [
        '@article{smithUntitled????,',
        '  title = {A Paper Without a Year},',
        '  author = {Smith, John and Doe, Jane},',
        '  file = {/home/u/Zotero/storage/AB12/smith.pdf}',
        '}',
        '@misc{lee????a, title = {Second Undated}, author = {Lee, Ann}}',
        '@article{doe2020, title = {Dated}, author = {Doe, Jane}, year = {2020}, note = {Is this ????, really?}}',
      ].join('\n'),
    );
    assert.deepEqual(
      entries.map((e) => e.key),
      ['smithUntitled????', 'lee????a', 'doe2020'],
    );
    const [smith, lee, doe] = entries;
    assert.equal(smith?.title, 'A Paper Without a Year');
    assert.equal(smith?.authors, 'John Smith, Jane Doe');
    assert.deepEqual(smith?.files, [{ path: '/home/u/Zotero/storage/AB12/smith.pdf' }]);
    assert.equal(lee?.title, 'Second Undated');
    assert.equal(doe?.year, '2020');
  });
});

suite('BibTeX DOIs', () => {
  test('the doi field is kept as written, without its LaTeX escapes; an entry without one has none', async () => {
    const entries = await bibtexParser.parse(
      [
        '@article{lo2020, title = {{S2ORC}: The Semantic Scholar Open Research Corpus}, doi = {10.18653/v1/2020.acl-main.447}, year = {2020}}',
        '@article{odd2019, title = {Odd}, doi = {10.1000/a\\_b}}',
        '@article{none2018, title = {None}}',
      ].join('\n'),
    );
    assert.deepEqual(
      entries.map((e) => [e.key, e.doi]),
      [
        ['lo2020', '10.18653/v1/2020.acl-main.447'],
        ['odd2019', '10.1000/a_b'],
        ['none2018', undefined],
      ],
    );
  });
});
