import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import {
  InMemoryDocumentEditor,
  REVERT_PAUSE_MS,
  isCancellationError,
  nullLogger,
  streamIntoEditor,
  type ActionResult,
  type BlockSpec,
  type Clock,
  type StreamIntoEditorOptions,
  type TextSink,
} from '../../../src/core';
import { ManualClock } from '../fakes/manualClock';

const NOTE = '# Title\n\nFirst paragraph.\n\nSecond paragraph.\n';

const spec: BlockSpec = {
  kind: 'summary',
  style: 'callout',
  title: 'Summary',
  attributes: { target: 'note', sources: ['note.md'], model: 'm', date: '2026-01-01' },
  incompleteLabel: '(incomplete)',
};

function result(text: string, finishReason: 'stop' | 'length' = 'stop'): ActionResult {
  return { text, model: 'm', fromCache: false, finishReason, warnings: [], requests: 1, parts: 1 };
}

/** A generator that sends one chunk every 10 ms of clock time; `between` runs after each chunk. */
function chunked(
  clock: Clock,
  chunks: readonly string[],
  options: { signal?: AbortSignal; between?: (i: number) => void; failAfter?: number } = {},
): (sink: TextSink) => Promise<ActionResult> {
  return async (sink) => {
    for (const [i, c] of chunks.entries()) {
      if (options.signal?.aborted) throw new DOMException('aborted', 'AbortError');
      if (options.failAfter === i) throw new DOMException('cancelled by the user', 'AbortError');
      sink(c);
      options.between?.(i);
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 10));
    }
    return result(chunks.join(''));
  };
}

function run(
  editor: InMemoryDocumentEditor,
  clock: ManualClock,
  extra: Partial<StreamIntoEditorOptions> & Pick<StreamIntoEditorOptions, 'generate'>,
) {
  return streamIntoEditor({ editor, spec, anchorOffset: NOTE.indexOf('First'), onCancel: 'remove', logger: nullLogger, clock, ...extra });
}

const words = Array.from({ length: 30 }, (_, i) => `word${i} `);

void suite('streamIntoEditor (in-memory editor, manual clock)', () => {
  test('streams in batches, ends with the block as one separate undo step', async () => {
    const clock = new ManualClock();
    const editor = new InMemoryDocumentEditor(NOTE);
    const seen: string[] = [];
    editor.onDidChange(() => seen.push(editor.getText()));
    const { block } = await clock.until(run(editor, clock, { generate: chunked(clock, words) }));
    const text = editor.getText();
    assert.ok(seen.length > 3, 'several streamed edits');
    assert.ok(seen.length < words.length + 3, 'batched: fewer edits than chunks');
    assert.equal(text.match(/<!-- research:summary /g)?.length, 1);
    assert.ok(text.includes(words.join('').trim()));
    assert.equal(
      text.slice(block.start, block.end),
      text.slice(text.indexOf('<!-- research:summary'), text.indexOf('<!-- /research:summary -->') + 26),
    );
    assert.ok(text.startsWith('# Title\n\nFirst paragraph.\n\n<!-- research:summary'), 'after the anchor line, one blank line');
    editor.undo();
    assert.equal(editor.getText(), NOTE, 'one undo removes exactly the insertion');
  });

  test('no two streamed edits closer than BATCH_MS', async () => {
    const clock = new ManualClock();
    const editor = new InMemoryDocumentEditor(NOTE);
    const times: number[] = [];
    await clock.until(run(editor, clock, { generate: chunked(clock, words), onBatch: (b) => times.push(b.sentAt) }), 1);
    for (let i = 1; i < times.length; i += 1) assert.ok((times[i] ?? 0) - (times[i - 1] ?? 0) >= 33, `gap ${i}`);
  });

  test('the user typing above and below the block while it streams keeps every keystroke', async () => {
    const clock = new ManualClock();
    const editor = new InMemoryDocumentEditor(NOTE);
    const between = (i: number): void => {
      if (i === 5) editor.userEdit(0, 0, 'TOP ');
      if (i === 12) editor.userEdit(editor.getText().length, editor.getText().length, 'BOTTOM');
    };
    await clock.until(run(editor, clock, { generate: chunked(clock, words, { between }) }));
    const text = editor.getText();
    assert.ok(text.startsWith('TOP # Title'));
    assert.ok(text.endsWith('Second paragraph.\nBOTTOM'));
    assert.ok(text.includes(`${words.join('').trim()}`));
    assert.equal(text.match(/<!-- research:summary /g)?.length, 1);
  });

  test('a keystroke that wins the race against our edit: the edit is recomputed, nothing lost', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const editor: InMemoryDocumentEditor = new InMemoryDocumentEditor(NOTE, {
      beforeApply: (_edits, ed) => {
        calls += 1;
        if (calls === 3 || calls === 4) {
          ed.userEdit(0, 0, 'x');
          return false;
        }
        return true;
      },
    });
    await clock.until(run(editor, clock, { generate: chunked(clock, words) }));
    const text = editor.getText();
    assert.ok(text.startsWith('xx# Title'));
    assert.ok(text.includes(words.join('').trim()));
  });

  test('File: Revert mid-stream discards the run: no edit of ours follows, the note stays as saved', async () => {
    const clock = new ManualClock();
    const editor = new InMemoryDocumentEditor(NOTE);
    const controller = new AbortController();
    let discarded = false;
    const between = (i: number): void => {
      if (i === 8) editor.revert();
    };
    const p = run(editor, clock, {
      generate: chunked(clock, words, { signal: controller.signal, between }),
      onDiscarded: () => ((discarded = true), controller.abort()),
    });
    await assert.rejects(clock.until(p), (e) => isCancellationError(e));
    await clock.advance(REVERT_PAUSE_MS * 2);
    assert.ok(discarded);
    assert.equal(editor.getText(), NOTE);
    assert.equal(editor.isDirty, false);
  });

  test('an edit of ours landing inside the revert is reverted again once things settle', async () => {
    const clock = new ManualClock();
    let calls = 0;
    // Long enough that the raced edit's offsets still fall inside the reloaded text.
    const long = NOTE + 'More text.\n'.repeat(100);
    const editor: InMemoryDocumentEditor = new InMemoryDocumentEditor(long, {
      beforeApply: (_edits, ed) => {
        calls += 1;
        // The revert reloads the note while this edit is on its way; the edit lands afterwards.
        if (calls === 4) ed.revert();
        return true;
      },
    });
    const controller = new AbortController();
    const p = run(editor, clock, {
      generate: chunked(clock, words, { signal: controller.signal }),
      onDiscarded: () => controller.abort(),
    });
    await assert.rejects(clock.until(p), (e) => isCancellationError(e));
    assert.notEqual(editor.getText(), long, 'the raced edit landed');
    await clock.advance(REVERT_PAUSE_MS + 10);
    assert.equal(editor.getText(), long, 'reverted again');
    assert.equal(editor.isDirty, false);
  });

  test('closing the note stops every edit: the run ends cancelled and the text is left as the user chose', async () => {
    const clock = new ManualClock();
    const editor = new InMemoryDocumentEditor(NOTE);
    let atClose = '';
    const between = (i: number): void => {
      if (i === 6) {
        editor.revert();
        atClose = editor.getText();
        editor.close();
      }
    };
    const p = run(editor, clock, { generate: chunked(clock, words, { between }) });
    await assert.rejects(clock.until(p), (e) => isCancellationError(e));
    assert.equal(editor.getText(), atClose);
    assert.equal(editor.getText(), NOTE);
  });

  test('cancel with onCancel remove: the streamed text goes, the note is as before', async () => {
    const clock = new ManualClock();
    const editor = new InMemoryDocumentEditor(NOTE);
    const p = run(editor, clock, { generate: chunked(clock, words, { failAfter: 10 }) });
    await assert.rejects(clock.until(p), (e) => isCancellationError(e));
    assert.equal(editor.getText(), NOTE);
  });

  test('cancel with onCancel keep: the partial block stays, marked incomplete, one undo removes it', async () => {
    const clock = new ManualClock();
    const editor = new InMemoryDocumentEditor(NOTE);
    const p = run(editor, clock, { generate: chunked(clock, words, { failAfter: 10 }), onCancel: 'keep' });
    await assert.rejects(clock.until(p), (e) => isCancellationError(e));
    const text = editor.getText();
    assert.match(text, /<!-- research:summary [^\n]*incomplete/);
    assert.ok(text.includes(words.slice(0, 10).join('').trim()));
    editor.undo();
    assert.equal(editor.getText(), NOTE);
  });

  test('a length-limited answer is inserted marked incomplete; prepareFinal is skipped for it', async () => {
    const clock = new ManualClock();
    const editor = new InMemoryDocumentEditor(NOTE);
    let prepared = 0;
    await clock.until(
      run(editor, clock, {
        generate: async (sink) => (sink('cut off'), result('cut off', 'length')),
        prepareFinal: (body, s) => ((prepared += 1), { body, spec: s }),
      }),
    );
    assert.match(editor.getText(), /incomplete/);
    assert.equal(prepared, 0);
  });

  test('a re-run replaces its own block in place', async () => {
    const clock = new ManualClock();
    const editor = new InMemoryDocumentEditor(NOTE);
    await clock.until(run(editor, clock, { generate: chunked(clock, ['first ', 'answer']) }));
    const once = editor.getText();
    await clock.until(run(editor, clock, { generate: chunked(clock, ['second ', 'answer']) }));
    const twice = editor.getText();
    assert.equal(twice.match(/<!-- research:summary /g)?.length, 1);
    assert.equal(twice, once.replace('first answer', 'second answer'));
  });

  test('a first change that leaves a clean note clean (a revert with nothing of ours shown) pauses streaming', async () => {
    const clock = new ManualClock();
    const editor = new InMemoryDocumentEditor(NOTE);
    const times: number[] = [];
    editor.userEdit(0, 0, 'z');
    editor.save();
    const p = run(editor, clock, {
      generate: async (sink) => {
        // A reload from disk leaves the note clean: streamed edits wait before touching it.
        editor.userEdit(0, 1, '');
        editor.revert();
        sink('hello');
        return result('hello');
      },
      onBatch: (b) => times.push(b.sentAt),
    });
    const start = clock.now();
    await clock.until(p);
    assert.ok(times.length === 0 || (times[0] ?? 0) - start >= REVERT_PAUSE_MS);
    assert.ok(editor.getText().includes('hello'));
  });
});
