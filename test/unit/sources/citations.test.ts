import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { parseCslJson, parseFileField } from '../../../src/core/sources/bibliography';
import { bibtexParser } from '../../../src/pdf/bibtex';
import { pagesPdf } from '../../fixtures/pdf-gen/generate';
import { InMemoryFiles, createReader, note, signal } from './inMemoryWorkspace';

const BIB = String.raw`@article{smith2020,
  title = {A {DNA} Study of Things},
  author = {Smith, Jane and Doe, John},
  year = {2020},
  file = {Full Text PDF:files/12/smith.pdf:application/pdf;Snapshot:files/12/snap.html:text/html}
}
@article{abs2021, title = {Absolute}, file = {/zotero/storage/abs.pdf}}
@article{win2019, title = {Windows}, file = {C\:\\Users\\me\\Zotero\\storage\\w.pdf}}
@article{multi2018, title = {Multi}, file = {:files/m/notes.txt:text/plain;:files/m/paper.pdf:PDF}}
@book{nofile2017, title = {No File}}
`;

suite('citekeys through a bibliography', () => {
  test('the Zotero / Better BibTeX / JabRef file field forms', () => {
    assert.deepEqual(parseFileField('Full Text:files/12/x.pdf:application/pdf;Snapshot:files/12/s.html:text/html'), [
      { path: 'files/12/x.pdf', mime: 'application/pdf', description: 'Full Text' },
      { path: 'files/12/s.html', mime: 'text/html', description: 'Snapshot' },
    ]);
    assert.deepEqual(parseFileField('/abs/a.pdf;/abs/b.pdf'), [{ path: '/abs/a.pdf' }, { path: '/abs/b.pdf' }]);
    assert.deepEqual(parseFileField(String.raw`C\:\\Users\\me\\a.pdf`), [{ path: String.raw`C:\Users\me\a.pdf` }]);
    assert.deepEqual(parseFileField(String.raw`C:\Users\me\b.pdf`), [{ path: String.raw`C:\Users\me\b.pdf` }]);
    assert.deepEqual(parseFileField(':papers/j.pdf:PDF'), [{ path: 'papers/j.pdf', mime: 'PDF' }]);
  });

  test('BibTeX is parsed with @retorquere/bibtex-parser', async () => {
    const entries = await bibtexParser.parse(BIB);
    assert.deepEqual(
      entries.map((e) => e.key),
      ['smith2020', 'abs2021', 'win2019', 'multi2018', 'nofile2017'],
    );
    assert.equal(entries[0]?.title, 'A DNA Study of Things');
    assert.equal(entries[0]?.year, '2020');
    assert.equal(entries[0]?.files.length, 2);
  });

  test('CSL-JSON with citation-key / id and file fields', () => {
    const entries = parseCslJson(
      JSON.stringify([
        { id: 'a1', title: 'CSL one', author: [{ family: 'Wu', given: 'Li' }], issued: { 'date-parts': [[2019]] }, file: 'papers/a1.pdf' },
        { id: 'x', 'citation-key': 'b2', title: 'CSL two', file: ['papers/b2.pdf'] },
      ]),
    );
    assert.deepEqual(
      entries.map((e) => [e.key, e.title, e.authors ?? '', e.year ?? '', e.files[0]?.path]),
      [
        ['a1', 'CSL one', 'Li Wu', '2019', 'papers/a1.pdf'],
        ['b2', 'CSL two', '', '', 'papers/b2.pdf'],
      ],
    );
  });

  test('[@key], [@a; @b], @key and [[@key]] resolve to the attached PDFs; problems are reported', async () => {
    const pdf = await pagesPdf(1);
    const fs = new InMemoryFiles({
      'lib/refs.bib': BIB,
      'lib/files/12/smith.pdf': pdf,
      'lib/files/m/paper.pdf': pdf,
      '/zotero/storage/abs.pdf': await pagesPdf(2),
      'notes/index.md': '',
    });
    const { reader } = createReader(fs);
    const text =
      '---\nbibliography: ../lib/refs.bib\n---\nAs shown [@smith2020; @abs2021], and @multi2018 and [[@win2019]] and [@nofile2017] and [@unknown].';
    const result = await reader.collect(note('notes/index.md', text), { signal });
    const rows = result.sources.map((s) => [s.link?.citekey, s.status, s.title]);
    assert.deepEqual(rows, [
      ['smith2020', 'ok', 'A DNA Study of Things'],
      ['abs2021', 'ok', 'Absolute'],
      ['multi2018', 'ok', 'Multi'],
      ['win2019', 'missing', 'Windows'],
      ['nofile2017', 'missing', 'No File'],
      ['unknown', 'missing', '@unknown'],
    ]);
    assert.equal(result.sources[0]?.id, 'lib/files/12/smith.pdf');
    assert.match(
      result.sources[1]?.text ?? '',
      /page number 2/,
      "absolute attachment outside the workspace is read: the user's own bibliography names it",
    );
    assert.match(result.sources[3]?.statusDetail ?? '', /Windows path/);
    assert.match(result.sources[4]?.statusDetail ?? '', /no PDF attached/);
    assert.match(result.sources[5]?.statusDetail ?? '', /not in the bibliography/);
  });

  test('the bibliography setting is used when the note declares none (CSL-JSON, workspace-relative)', async () => {
    const fs = new InMemoryFiles({
      'refs.json': JSON.stringify([{ id: 'c1', title: 'From CSL', file: 'papers/c1.pdf' }]),
      'papers/c1.pdf': await pagesPdf(1),
      'index.md': '',
    });
    const { reader } = createReader(fs, { config: { bibliography: 'refs.json' } });
    const result = await reader.collect(note('index.md', 'See [@c1].'), { signal });
    assert.deepEqual(
      result.sources.map((s) => [s.id, s.status, s.title]),
      [['papers/c1.pdf', 'ok', 'From CSL']],
    );
  });

  test('without any bibliography a citation is reported as missing with the reason', async () => {
    const fs = new InMemoryFiles({ 'index.md': '' });
    const { reader } = createReader(fs);
    const result = await reader.collect(note('index.md', 'See [@c1].'), { signal });
    assert.equal(result.sources[0]?.status, 'missing');
    assert.match(result.sources[0]?.statusDetail ?? '', /no bibliography/);
  });
});

suite('citations: every key reported, literature notes followed', () => {
  test('each missing key of a multi-key citation is reported once, even when brackets share some keys', async () => {
    const fs = new InMemoryFiles({ 'refs.bib': '@book{nofile2017, title = {No File}}\n', 'index.md': '' });
    const { reader } = createReader(fs, { config: { bibliography: 'refs.bib' } });
    const text = 'First [@gone1; @gone2]. Again [@gone2; @gone3] and [@gone1] and [@nofile2017; @gone3].';
    const result = await reader.collect(note('index.md', text), { signal });
    assert.deepEqual(
      result.sources.map((s) => [s.link?.citekey, s.status]),
      [
        ['gone1', 'missing'],
        ['gone2', 'missing'],
        ['gone3', 'missing'],
        ['nofile2017', 'missing'],
      ],
    );
  });

  test('[[@key]] opens the literature note @key.md when the vault has one, and follows it to its PDF', async () => {
    const pdf = await pagesPdf(1);
    const fs = new InMemoryFiles({
      'refs.bib': '@article{smith2020, title = {From the bibliography}, file = {bib/wrong.pdf}}\n@article{doe2019, title = {Doe}}\n',
      'literature/@smith2020.md': '---\ntitle: Smith literature note\n---\n# Smith 2020\n\nMy notes on it. PDF: [[smith-paper.pdf]]\n',
      'literature/@doe2019.md': '---\npdf: "[[doe.pdf]]"\n---\nDoe notes.\n',
      'papers/smith-paper.pdf': pdf,
      'papers/doe.pdf': await pagesPdf(2),
      'index.md': '',
    });
    const { reader } = createReader(fs, { config: { bibliography: 'refs.bib' } });
    const result = await reader.collect(note('index.md', 'See [[@smith2020]] and [[@doe2019]] and [@smith2020].'), { signal });
    const rows = result.sources.map((s) => [s.id, s.kind, s.status]);
    assert.deepEqual(rows, [
      ['literature/@smith2020.md', 'markdown', 'ok'],
      ['papers/smith-paper.pdf', 'pdf', 'ok'],
      ['literature/@doe2019.md', 'markdown', 'ok'],
      ['papers/doe.pdf', 'pdf', 'ok'],
      ['bib/wrong.pdf', 'pdf', 'missing'],
    ]);
    assert.match(result.sources[0]?.text ?? '', /My notes on it/);
    assert.match(result.sources[3]?.text ?? '', /page number 2/);
  });
});
