import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { stripThink, ThinkFilter } from '../../../src/core/llm/thinkFilter';

/** Feeds chunks one by one and returns everything released. */
function run(chunks: readonly string[], hold = 512): { text: string; orphan: boolean; perChunk: string[] } {
  const filter = new ThinkFilter(hold);
  const perChunk = chunks.map((c) => filter.push(c));
  const text = perChunk.join('') + filter.end();
  return { text, orphan: filter.orphanClose, perChunk };
}

void suite('ThinkFilter', () => {
  void test('removes a complete think block at the start', () => {
    assert.equal(run(['<think>plan the answer</think>\n\nThe answer.']).text, 'The answer.');
  });

  void test('handles a close tag split across chunks (`</thi` + `nk>`)', () => {
    assert.equal(run(['<think>reasoning', ' more</thi', 'nk>Visible', ' text']).text, 'Visible text');
  });

  void test('handles an open tag split across chunks, one character at a time', () => {
    const input = 'Intro. <think>hidden</think> Outro.';
    assert.equal(run([...input]).text, 'Intro.  Outro.');
  });

  void test('empty think block', () => {
    assert.equal(run(['<think></think>', 'Answer']).text, 'Answer');
  });

  void test('only a closing tag (template pre-inserted <think>): everything before it is dropped', () => {
    assert.equal(run(['I should think about this. ', 'Yes.</think>', '\n\nFinal answer']).text, 'Final answer');
  });

  void test('unterminated think block is dropped at the end', () => {
    assert.equal(run(['<think>never closed', ' still thinking']).text, '');
  });

  void test('no tags: text passes through unchanged once the hold threshold is reached', () => {
    const r = run(['abc ', 'def'], 4);
    assert.equal(r.text, 'abc def');
    assert.equal(r.perChunk[0], 'abc ');
  });

  void test('text before the hold threshold is released at the end', () => {
    const r = run(['short answer'], 512);
    assert.deepEqual(r.perChunk, ['']);
    assert.equal(r.text, 'short answer');
  });

  void test('a partial tag prefix at a chunk end that turns out not to be a tag is released', () => {
    assert.equal(run(['a < b and c </t', 'able> done'], 1).text, 'a < b and c </table> done');
  });

  void test('a stray </think> after released text is removed and reported', () => {
    const r = run(['Visible text long enough. ', 'more</think>tail'], 4);
    assert.equal(r.text, 'Visible text long enough. moretail');
    assert.equal(r.orphan, true);
  });

  void test('reasoning never leaks while streaming with infinite hold', () => {
    const r = run(['thinking without tags ', 'and more', '</think>', 'Answer'], Number.POSITIVE_INFINITY);
    assert.deepEqual(r.perChunk.slice(0, 2), ['', '']);
    assert.equal(r.text, 'Answer');
  });

  void test('stripThink on whole text', () => {
    assert.equal(stripThink('<think>x</think>\nA<think>y</think>B'), 'AB');
  });
});
