import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { extractPdfText } from '../../../src/pdf/engine';
import { bandsPdf, rotatedTablePdf, threeColumnPdf } from '../../fixtures/pdf-gen/generate';

function before(text: string, a: string, b: string): boolean {
  const i = text.indexOf(a);
  const j = text.indexOf(b);
  assert.ok(i >= 0, `missing: ${a}`);
  assert.ok(j >= 0, `missing: ${b}`);
  return i < j;
}

suite('PDF reading order: columns, bands and sideways pages', () => {
  test('three columns are read one after another, the caption inside its column', async () => {
    const r = await extractPdfText(await threeColumnPdf(), { name: 'three.pdf' });
    const t = r.text;
    assert.ok(before(t, 'Three Columns of Findings', 'West column line 1 goes on.'));
    assert.ok(before(t, 'West column line 40 goes on.', 'Middle column line 1 goes on.'), 'west column whole before the middle one');
    assert.ok(before(t, 'Middle column line 15 goes on.', 'Fig. 1. Caption of the figure'));
    assert.ok(before(t, 'sits inside the middle column.', 'Centre column line 1 goes on.'));
    assert.ok(before(t, 'Centre column line 15 goes on.', 'East column line 1 goes on.'), 'east column after the middle one');
    assert.doesNotMatch(
      t,
      /(West|Middle|Centre|East) column line \d+ goes on\. (?!\1)(West|Middle|Centre|East) column/,
      'no column runs into another',
    );
    assert.equal(r.stats.twoColumnPages, 1);
  });

  test('a full-width table splits the page into bands, each read column by column', async () => {
    const t = (await extractPdfText(await bandsPdf(), { name: 'bands.pdf' })).text;
    assert.ok(before(t, 'Abstract line 14 opens with', 'Left column upper line 1 here.'));
    assert.match(t, /Abstract line 7 opens with a run in italics across the middle and closes in roman type\. Abstract line 8/);
    assert.ok(before(t, 'Left column upper line 2 here.', 'Right column upper line 1 here.'));
    assert.ok(before(t, 'the right column ends here.', 'Table 1. Measurements'), 'both upper columns before the table');
    assert.match(t, /Sample Mass \(g\) Length \(cm\) Colour of the sample/, 'table rows stay rows');
    assert.ok(before(t, 'dark green with spots', 'Left column lower line 1 here.'), 'the table before the lower columns');
    assert.ok(before(t, 'Left column lower line 3 here.', 'Right column lower line 1 here.'));
    // A line-end hyphen is never joined with the other column's line at the same height.
    assert.doesNotMatch(t, /col-?(Right|the right)/);
    assert.ok(before(t, 'Left column upper line 2 here. and the last word is col-', 'Right column upper line 1 here.'));
  });

  test('a landscape table on a turned page is read, not dropped', async () => {
    const r = await extractPdfText(await rotatedTablePdf(), { name: 'landscape.pdf' });
    const page2 = r.pages[1] ?? '';
    assert.match(page2, /Table 2\. Wide landscape table of patient outcomes/);
    assert.ok(before(page2, 'Group Patients Outcome Follow-up', 'Control 120 stable 12 months'));
    assert.ok(before(page2, 'Control 120 stable 12 months', 'Treated 118 improved 12 months'));
    assert.equal(r.stats.turnedPages, 1);
  });
});
