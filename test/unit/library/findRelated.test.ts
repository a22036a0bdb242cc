import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { findRelated, paragraphAt, parseNote } from '../../../src/core';
import { sleepLibrary } from '../fakes/library';

const signal = new AbortController().signal;
const noteOf = (text: string, uri = 'file:///ws/notes/review.md') => ({ uri, version: 1, languageId: 'markdown', getText: () => text });

void suite('Find Related Papers', () => {
  test('the paragraph at the cursor: papers ranked by their best passage, one row per paper, links in the note’s syntax', async () => {
    const text = '# Review\n\nSee [[older.pdf]].\n\nSleep deprivation and recall after a nap.\n\nProtein work later.\n';
    const library = sleepLibrary();
    const note = noteOf(text);
    const result = await findRelated({ library, links: parseNote(text).links }, note, { cursor: text.indexOf('deprivation'), signal });
    assert.equal(result.of, 'paragraph');
    assert.equal(library.searches[0]?.query, 'Sleep deprivation and recall after a nap.');
    assert.deepEqual(
      result.papers.map((p) => [p.path, p.passage.page, p.link]),
      [
        ['papers/naps.pdf', 2, '[[papers/naps.pdf#page=2]]'],
        ['papers/sleep.pdf', 4, '[[papers/sleep.pdf#page=4]]'],
      ],
    );
    assert.ok(result.papers.every((p) => !p.linked));
  });

  test('the selection wins; markdown-link notes get relative markdown links; already linked papers are marked', async () => {
    const text = 'Read [naps](../papers/naps.pdf) on recall and [a](a.md).\n\nprotein folding dynamics\n';
    const start = text.indexOf('protein');
    const result = await findRelated({ library: sleepLibrary(), links: parseNote(text).links }, noteOf(text), {
      selection: { start, end: text.length - 1 },
      signal,
    });
    assert.equal(result.of, 'selection');
    assert.deepEqual(
      result.papers.map((p) => p.link),
      ['[protein.pdf](../papers/protein.pdf#page=7)'],
    );
    const whole = await findRelated({ library: sleepLibrary(), links: parseNote(text).links }, noteOf(text), { of: 'note', signal });
    assert.equal(whole.papers.find((p) => p.path === 'papers/naps.pdf')?.linked, true);
  });

  test('the note itself is never related to itself; an empty note finds nothing without searching', async () => {
    const library = sleepLibrary();
    const own = await findRelated({ library, links: [] }, noteOf('sleep recall', 'file:///ws/papers/sleep.pdf'), { of: 'note', signal });
    assert.deepEqual(
      own.papers.map((p) => p.path),
      ['papers/naps.pdf'],
    );
    const empty = await findRelated({ library, links: [] }, noteOf('---\ntitle: x\n---\n'), { of: 'note', signal });
    assert.deepEqual(empty.papers, []);
    assert.equal(library.searches.length, 1);
  });

  test('paragraphAt takes the text between blank lines', () => {
    assert.equal(paragraphAt('a\n\nb c\nd\n\ne', 4), 'b c\nd');
    assert.equal(paragraphAt('only', 2), 'only');
  });
});
