import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import type { ActionResult, TextSink } from '../../../src/core/actions/context';
import { InMemoryKeyValueStore } from '../../../src/core/cache/extractionCache';
import type { NoteGrounding } from '../../../src/core/grounding/noteGrounding';
import { NoteParser } from '../../../src/core/markdown/parseNote';
import { planBlock, type Insertion } from '../../../src/core/tasks/insert';
import { SOURCE_EN } from '../grounding/fixtures';
import { freshGrounding, SUMMARY_BODY, SUMMARY_SPEC } from '../grounding/memoFixtures';

const spec = SUMMARY_SPEC;
const body = SUMMARY_BODY;
const signal = new AbortController().signal;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A grounding as a new process (the command line) has it: nothing indexed, the persisted store shared. */
const grounding = freshGrounding;

function insertion(g: NoteGrounding, generate: (sink: TextSink) => Promise<ActionResult>): Insertion {
  const text = '# Reading notes\n\nSome text.\n';
  const parser = new NoteParser();
  return {
    note: { uri: 'file:///ws/note.md', version: 1, languageId: 'markdown', getText: () => text },
    spec,
    sources: [SOURCE_EN],
    placement: () => ({ after: 'note' }),
    generate,
    grounding: g,
    parse: (t) => parser.parse(t),
  };
}

function answer(fromCache: boolean): ActionResult {
  return { text: body, model: 'qwen3:4b', fromCache, finishReason: 'stop', warnings: [], requests: fromCache ? 0 : 1, parts: 1 };
}

suite('planBlock (no editor: the command line, a batch run)', () => {
  test('a fresh answer: its sources are indexed while the model generates, not after', async () => {
    const g = grounding();
    let indexedWhileGenerating = false;
    const placed = await planBlock(
      insertion(g, async (sink) => {
        sink('- Response was ');
        // The model is still writing: the index is built meanwhile, one source per event-loop task.
        for (let i = 0; i < 100 && !g.indexes.isIndexed(SOURCE_EN); i++) await sleep(5);
        indexedWhileGenerating = g.indexes.isIndexed(SOURCE_EN);
        return answer(false);
      }),
      signal,
    );
    assert.ok(indexedWhileGenerating, 'the index was ready before the answer ended');
    assert.equal(placed.spec.attributes.figures, '1/2');
  });

  test('an answer from the cache with remembered verdicts: its sources are not indexed, not even afterwards', async () => {
    const store = new InMemoryKeyValueStore();
    await grounding(store).groundAnswer(body, spec, [SOURCE_EN], false);
    const g = grounding(store);
    const placed = await planBlock(
      insertion(g, (sink) => {
        sink(body);
        return Promise.resolve(answer(true));
      }),
      signal,
    );
    await sleep(50);
    assert.equal(g.indexes.isIndexed(SOURCE_EN), false, 'the build begun at the first delta was stopped');
    assert.equal(placed.spec.attributes.figures, '1/2');
    assert.ok(placed.block.includes('72.4%'));
  });
});
