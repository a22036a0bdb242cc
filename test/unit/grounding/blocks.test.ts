import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import {
  blockAt,
  buildGroundingIndex,
  checkBlock,
  checkNoteBlock,
  checkTableCell,
  CELL_WARNING,
  findResearchBlocks,
} from '../../../src/core/grounding';
import { renderBlock, type BlockSpec } from '../../../src/core/insertion/block';
import { findBlocks } from '../../../src/core/insertion/markers';
import { renderTable } from '../../../src/core/insertion/table';
import { SOURCES, SOURCE_EN } from './fixtures';
import stringWidth from 'string-width';

const index = buildGroundingIndex(SOURCES);

function apply(text: string, edits: ReadonlyArray<{ start: number; end: number; text: string }>): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);
}

const summarySpec: BlockSpec = {
  kind: 'summary',
  attributes: { target: 'note', sources: [SOURCE_EN.id], model: 'qwen3:4b', date: '2026-11-22' },
  style: 'callout',
  title: 'Summary',
};

void suite('grounding: blocks in a note', () => {
  void test('finds blocks with the insertion parser and reports items at note offsets, with the figures header edit', () => {
    const body = '- Response was 72.4% (p. 2).\n- Adherence was 91% overall.\n';
    const note = `# Notes\n\nSome text with 5 figures of my own.\n\n${renderBlock(summarySpec, body)}\nAfter.\n`;
    const [rb] = findResearchBlocks(note);
    assert.ok(rb);
    assert.equal(note.slice(rb.bodyStart, rb.bodyEnd), rb.block.content);
    const r = checkNoteBlock(note, rb, index);
    assert.equal(r.header, 'figures checked: 1/2');
    const bad = r.items.filter((i) => i.status === 'unsupported');
    assert.equal(bad.length, 1);
    assert.equal(note.slice(bad[0]!.start, bad[0]!.end), '91%');
    // The user's own text outside the block is never checked.
    assert.ok(r.items.every((i) => i.start > rb.block.start && i.end < rb.block.end));
    assert.ok(r.headerEdit);
    const updated = apply(note, [r.headerEdit]);
    assert.equal(findBlocks(updated)[0]?.attributes.figures, '1/2');
    // Once recorded, a re-check proposes no header edit.
    const again = checkNoteBlock(updated, findResearchBlocks(updated)[0]!, index);
    assert.equal(again.headerEdit, undefined);
  });

  void test('blockAt finds the block under the cursor', () => {
    const note = `a\n${renderBlock(summarySpec, 'x 72.4%')}b\n${renderBlock({ ...summarySpec, attributes: { ...summarySpec.attributes, target: 'other' } }, 'y 58%')}`;
    const second = note.lastIndexOf('58%');
    assert.equal(blockAt(note, second)?.block.attributes.target, 'other');
    assert.equal(blockAt(note, 0), undefined);
  });
});

void suite('grounding: comparison table cells', () => {
  const columns = ['Sample size', 'Response'];
  const options = { paperHeader: 'Paper', failedLabel: 'extraction failed', width: stringWidth, footnotePrefix: 'cmp1-' };

  void test('a cell passes when its value is in its quote and the quote is in the paper', () => {
    assert.equal(checkTableCell({ value: '1,248', quote: 'We enrolled 1,248 participants' }, index).ok, true);
    assert.equal(checkTableCell({ value: '72%', quote: 'The response rate was 72.4% in the exercise group' }, index).ok, true);
  });

  void test('value not in its quote, quote not in the paper: both fail', () => {
    const notInQuote = checkTableCell({ value: '1,284', quote: 'We enrolled 1,248 participants' }, index);
    assert.equal(notInQuote.ok, false);
    assert.deepEqual(notInQuote.missingInQuote, ['1,284']);
    const invented = checkTableCell({ value: '1,248', quote: 'We enrolled 1,248 frail participants at home' }, index);
    assert.equal(invented.ok, false);
    assert.equal(invented.quote?.status, 'unsupported');
  });

  void test('rendered tables: failing cells get ⚠ (and diagnostics items), passing cells lose a stale ⚠', () => {
    const table = renderTable(
      columns,
      [
        {
          paper: '[[exercise-trial.pdf]]',
          cells: {
            'Sample size': { value: '1,248', quote: 'We enrolled 1,248 participants', locator: 'p. 1' },
            Response: { value: '78%', quote: 'The response rate was 72.4% in the exercise group', locator: 'p. 2' },
          },
        },
        {
          paper: '[[zh-abstract.pdf]]',
          cells: {
            'Sample size': { value: '360例', quote: '本研究共纳入360例患者' },
            Response: { value: '72%', quote: '干预组有效率为72%' },
          },
        },
        { paper: '[[missing.pdf]]', error: 'HTTP 500 after 3 tries' },
      ],
      options,
    );
    const r = checkBlock(table, index, 'comparison');
    const bad = r.items.filter((i) => i.status === 'unsupported');
    assert.deepEqual(
      bad.map((i) => table.slice(i.start, i.end)),
      ['78%'],
    );
    assert.equal(r.items.filter((i) => i.status === 'supported').length, 3);
    assert.equal(r.edits.length, 1);
    const marked = apply(table, r.edits);
    assert.match(marked, new RegExp(`\\| ${CELL_WARNING}78%\\[\\^cmp1-2\\]`, 'u'));
    // Re-checking the marked table: still one failure, no second ⚠.
    const again = checkBlock(marked, index, 'comparison');
    assert.equal(again.edits.length, 0);
    assert.equal(again.items.filter((i) => i.status === 'unsupported').length, 1);
    // The user corrects the value: the ⚠ goes away.
    const fixed = marked.replace(`${CELL_WARNING}78%`, `${CELL_WARNING}72%`);
    const cleared = apply(fixed, checkBlock(fixed, index, 'comparison').edits);
    assert.ok(!cleared.includes(CELL_WARNING.trim() + ' 72%'));
    assert.ok(cleared.includes('| 72%[^cmp1-2]'));
  });

  void test('a table with unpadded long cells, a one-letter column and default footnote labels is checked cell by cell', () => {
    const long = `The exercise group responded more often; ${'the effect held in every subgroup and at every site, '.repeat(4)}overall.`;
    const table = renderTable(
      ['n', 'Response'],
      [
        {
          paper: '[[exercise-trial.pdf]]',
          cells: {
            n: { value: '9%' },
            Response: { value: `78% — ${long}`, quote: 'The response rate was 72.4% in the exercise group', locator: 'p. 2' },
          },
        },
      ],
      { paperHeader: 'Paper', failedLabel: 'extraction failed', width: stringWidth },
    );
    // Nothing pads the one-letter column to three hyphens: the rule row is as short as GFM allows.
    assert.match(table.split('\n')[1] ?? '', /^\| -+ \| -- \| -+ \|$/u);
    const r = checkBlock(table, index, 'comparison');
    assert.deepEqual(
      r.items.map((i) => [table.slice(i.start, i.end), i.status]),
      [
        ['9%', 'supported'],
        [`78% — ${long}`, 'unsupported'],
      ],
    );
    // Only a cell with a quote gets the ⚠ (the quote-less figure is reported, not marked).
    const marked = apply(table, r.edits);
    assert.equal(marked.split(CELL_WARNING.trim()).length - 1, 1);
    assert.equal(checkBlock(marked, index, 'comparison').edits.length, 0);
  });
});
