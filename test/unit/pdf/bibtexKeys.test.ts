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
