import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import {
  AssistantError,
  BatchQueue,
  DEFAULT_CONFIG,
  InMemoryKeyValueStore,
  createAssistant,
  nullLogger,
  parseQueue,
  resolveConfig,
  runBatch,
  type Assistant,
  type BatchFiles,
  type Logger,
  type PdfTextExtractor,
  type QueueStore,
  type RunActivity,
} from '../../../src/core';
import { serializeQueue } from '../../../src/core/batch/queue';
import { matrixOrder, matrixRowTargets } from '../../../src/core/batch/matrix';
import { paperNoteName, pdfLink, relativePath, safeFileName, withOwnBlock } from '../../../src/core/batch/paperNote';
import { PaperScheduler } from '../../../src/core/batch/scheduler';
import { FakeLlmSession, type FakeOptions } from '../fakes/fakeLlmSession';
import { InMemoryFiles, ROOT } from '../sources/inMemoryWorkspace';
import { builtinPromptSource, filesPortOf } from '../fakes/assistantFixtures';

const signal = new AbortController().signal;

function memoryStore(initial?: string): QueueStore & { text: string | undefined } {
  const store = {
    name: 'queue.json',
    text: initial,
    read: () => Promise.resolve(store.text),
    write: (t: string) => {
      store.text = t;
      return Promise.resolve();
    },
  };
  return store;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (m: string | Error): void => void lines.push(String(m));
  return { lines, trace: log, debug: log, info: log, warn: log, error: log };
}

suite('batch queue', () => {
  test('persists every change; a run left "running" is redone, done and unchanged papers are not', async () => {
    const store = memoryStore();
    const q = await BatchQueue.open(store, nullLogger);
    await q.admit(['file:///a.pdf', 'file:///b.pdf']);
    await q.markRunning('file:///a.pdf', 'h1');
    await q.markDone('file:///a.pdf', 'file:///notes/a.md');
    await q.markRunning('file:///b.pdf', 'h2');
    // The process dies here: b is "running" in the file.
    const reopened = await BatchQueue.open(store, nullLogger);
    assert.equal(reopened.get('file:///b.pdf')?.state, 'running');
    await reopened.admit(['file:///a.pdf', 'file:///b.pdf', 'file:///c.pdf']);
    assert.deepEqual(
      reopened.all().map((e) => [e.uri, e.state]),
      [
        ['file:///a.pdf', 'done'],
        ['file:///b.pdf', 'pending'],
        ['file:///c.pdf', 'pending'],
      ],
    );
    assert.equal(reopened.plan('file:///a.pdf', 'h1', false), 'unchanged');
    assert.equal(reopened.plan('file:///a.pdf', 'changed', false), 'read');
    await reopened.markFailed('file:///c.pdf', 'no text layer', true, 'h3');
    assert.equal(reopened.plan('file:///c.pdf', 'h3', false), 'failedBefore');
    assert.equal(reopened.plan('file:///c.pdf', 'h3', true), 'read');
    assert.equal(reopened.get('file:///c.pdf')?.attempts, 1);
  });

  test('a truncated, tampered or other-version file is detected and rebuilt with one log line', async () => {
    const good = await serializeQueue([{ uri: 'file:///a.pdf', state: 'done', attempts: 0, updatedAt: 1 }]);
    assert.ok('entries' in (await parseQueue(good)));
    const tampered = good.replace('"done"', '"failed"');
    const other = good.replace('"version": 1', '"version": 99');
    for (const [text, problem] of [
      [good.slice(0, good.length / 2), /truncated or corrupt/],
      [tampered, /checksum/],
      [other, /another version/],
    ] as const) {
      const logger = recordingLogger();
      const q = await BatchQueue.open(memoryStore(text), logger);
      assert.deepEqual(q.all(), []);
      assert.equal(logger.lines.length, 1);
      assert.match(logger.lines[0] ?? '', problem);
      assert.match(logger.lines[0] ?? '', /rebuilt/);
    }
  });
});

suite('batch notes and matrix', () => {
  test('names, relative links and our block replaced without touching the user’s text', () => {
    assert.equal(safeFileName('a/b:c*?.'), 'a-b-c-');
    assert.equal(paperNoteName({ citekey: 'smith2024', origin: {} }, 'file:///ws/p/x.pdf'), 'smith2024.md');
    assert.equal(paperNoteName({ origin: {} }, 'file:///ws/p/My%20paper.pdf'), 'My paper.md');
    assert.equal(relativePath('file:///ws/Literature', 'file:///ws/papers/a%20b.pdf'), '../papers/a b.pdf');
    assert.equal(pdfLink('file:///ws/Literature', 'file:///ws/Literature/in/x.pdf'), '[x.pdf](<in/x.pdf>)');
    const block = (body: string): string =>
      `<!-- research:summary target="paper:x" sources="" model="m" date="d" -->\n${body}\n<!-- /research:summary -->\n`;
    const note = `---\ntitle: X\n---\n\nMine before.\n\n${block('old')}\nMine after.\n`;
    assert.equal(withOwnBlock(note, 'summary', 'paper:x', block('new')), note.replace('old', 'new'));
    assert.equal(withOwnBlock('Mine only.', 'summary', 'paper:x', block('new')), `Mine only.\n\n${block('new')}`);
  });

  test('matrix rows: papers already in the table keep their place, new ones are appended', () => {
    const table = '| Paper | Aim |\n| --- | --- |\n| [b.pdf](<../p/b.pdf>) | x |\n| [a.pdf](<../p/a.pdf>) | y |\n';
    assert.deepEqual(matrixRowTargets(table), ['../p/b.pdf', '../p/a.pdf']);
    const links = new Map([
      ['file:///ws/p/a.pdf', '[a.pdf](<../p/a.pdf>)'],
      ['file:///ws/p/c.pdf', '[c.pdf](<../p/c.pdf>)'],
      ['file:///ws/p/b.pdf', '[b.pdf](<../p/b.pdf>)'],
    ]);
    assert.deepEqual(matrixOrder(matrixRowTargets(table), links), ['file:///ws/p/b.pdf', 'file:///ws/p/a.pdf', 'file:///ws/p/c.pdf']);
  });
});

function fakeActivity(): RunActivity & { set(n: number): void } {
  let running = 0;
  const listeners = new Set<() => void>();
  return {
    running: () => running,
    onDidChange: (l) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    set(n) {
      running = n;
      for (const l of listeners) l();
    },
  };
}

suite('batch scheduler', () => {
  test('fills every slot, then stops its youngest paper at once when the user starts a command, and resumes it after', async () => {
    const activity = fakeActivity();
    const started: string[] = [];
    const finished: string[] = [];
    const released: string[] = [];
    let inFlight = 0;
    let most = 0;
    const gates = new Map<string, () => void>();
    const scheduler = new PaperScheduler<string>({
      slots: 2,
      activity,
      signal,
      work: (uri, s) =>
        new Promise((resolve, reject) => {
          started.push(uri);
          inFlight += 1;
          most = Math.max(most, inFlight);
          gates.set(uri, () => resolve(uri));
          s.addEventListener('abort', () => reject(new AssistantError('Cancelled', 'Cancelled')), { once: true });
        }).finally(() => (inFlight -= 1)) as Promise<string>,
      onFinished: (uri) => finished.push(uri),
      release: (uri) => {
        released.push(uri);
        return Promise.resolve();
      },
    });
    const run = scheduler.run(['a', 'b', 'c']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, ['a', 'b']);
    activity.set(1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(released, ['b'], 'the most recently started paper made room');
    assert.equal(inFlight, 1);
    gates.get('a')?.();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, ['a', 'b', 'b'], 'one paper at a time while the user runs a command, the stopped one first');
    activity.set(0);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, ['a', 'b', 'b', 'c']);
    gates.get('b')?.();
    gates.get('c')?.();
    await run;
    assert.deepEqual(finished.sort(), ['a', 'b', 'c']);
    assert.equal(most, 2);
  });
});

/** Stand-in engine: the text after the `%PDF-` line is page 1; an empty page is an image-only PDF. */
const fakePdf: PdfTextExtractor = {
  extract: (bytes) => {
    const page = new TextDecoder().decode(bytes).replace(/^%PDF-[^\n]*\n/, '');
    if (page.trim() === '')
      return Promise.reject(new AssistantError('SourceUnreadable', 'the PDF has no text layer', { data: { reason: 'imageOnly' } }));
    const text = `[page 1]\n\n${page}`;
    const stats = { ligaturesRepaired: 0, controlCharsRemoved: 0, hyphenationsJoined: 0, repeatedLinesRemoved: 0, twoColumnPages: 0 };
    const sections = [{ title: 'Page 1', level: 1, text, location: { page: 1 }, role: 'body' as const }];
    return Promise.resolve({ pageCount: 1, pagesRead: 1, pages: [page], text, sections, stats, characters: page.length });
  },
};

function batchSetup(reply: FakeOptions['reply']): {
  assistant: Assistant;
  session: FakeLlmSession;
  files: InMemoryFiles;
  out: BatchFiles & { written: Map<string, string> };
} {
  const files = new InMemoryFiles({
    'papers/a.pdf': '%PDF-1.7\nSleep improved recall by 12% (n = 24).\n',
    'papers/b.pdf': '%PDF-1.7\nNaps raised scores by 7% in 30 students.\n',
    'papers/scan.pdf': '%PDF-1.7\n',
  });
  const session = new FakeLlmSession({ parallelSlots: 2, reply });
  const results = new InMemoryKeyValueStore();
  const assistant = createAssistant({
    ports: {
      files: filesPortOf(files),
      store: { open: (area) => (area.name === 'results' ? results : new InMemoryKeyValueStore()) },
      prompts: builtinPromptSource,
      pdf: fakePdf,
      bibtex: { parse: () => Promise.resolve([]) },
      llm: { session: () => Promise.resolve(session) },
    },
    settings: () => resolveConfig({ ...DEFAULT_CONFIG }),
  });
  const written = new Map<string, string>();
  const out = {
    written,
    readText: (uri: string) => Promise.resolve(written.get(uri)),
    readBytes: (uri: string) => files.readBytes(uri),
    writeText: (uri: string, text: string) => {
      written.set(uri, text);
      return Promise.resolve();
    },
  };
  return { assistant, session, files, out };
}

suite('batch runner', () => {
  test('a transient error is retried, an image-only PDF is recorded; a re-run asks nothing; a changed paper’s block is replaced, the user’s text kept', async () => {
    let busy = 1;
    const { assistant, session, files, out } = batchSetup((req) => {
      if (busy > 0 && req.messages.some((m) => m.content.includes('Naps'))) {
        busy -= 1;
        return new AssistantError('Busy', '503 busy');
      }
      return req.jsonSchema
        ? '{"aim":{"value":"recall","quote":"Sleep improved recall","locator":"p. 1"}}'
        : '- The finding: 12% (n = 24).';
    });
    const deps = { assistant, files: out, folders: [ROOT], retry: { attempts: 3, baseDelayMs: 1 } };
    const papers = ['papers/a.pdf', 'papers/b.pdf', 'papers/scan.pdf'].map((p) => files.uri(p));
    const request = { papers, notesFolder: `${ROOT}/Literature`, columns: ['Aim'], concurrency: 'auto' as const, signal };
    const progress: string[] = [];
    const first = await runBatch(deps, { ...request, onProgress: (p) => progress.push(p.text) });
    assert.equal(first.read, 2);
    assert.deepEqual(
      first.failures.map((f) => [f.name, f.permanent]),
      [['papers/scan.pdf', true]],
    );
    assert.match(first.failures[0]?.reason ?? '', /no text layer/);
    assert.match(progress.at(-1) ?? '', /^Reading 3\/3 · 1 failed/);
    const noteA = out.written.get(`${ROOT}/Literature/a.md`) ?? '';
    assert.match(
      noteA,
      /^---\ntitle: a\nsource: papers\/a\.pdf\nmodel: fake-model\ndate: .+\nstatus: summarized\n---\n\n# a\n\n\[a\.pdf\]\(<\.\.\/papers\/a\.pdf>\)\n\n<!-- research:summary/,
    );
    assert.match(out.written.get(`${ROOT}/Literature/Literature%20matrix.md`) ?? '', /\| \[b\.pdf\]\(<\.\.\/papers\/b\.pdf>\) \|/);

    const asked = session.requests.length;
    const again = await runBatch(deps, request);
    assert.equal(session.requests.length, asked, 'unchanged papers and cached cells: no request');
    assert.deepEqual([again.read, again.unchanged, again.failures.length], [0, 2, 1]);

    out.written.set(`${ROOT}/Literature/a.md`, `${noteA}\nMy own thoughts.\n`);
    files.add('papers/a.pdf', '%PDF-1.7\nSleep improved recall by 15% (n = 30).\n');
    const changed = await runBatch(deps, request);
    assert.equal(changed.read, 1);
    const updated = out.written.get(`${ROOT}/Literature/a.md`) ?? '';
    assert.ok(updated.endsWith('\nMy own thoughts.\n'), updated);
    assert.equal(updated.match(/<!-- research:summary/g)?.length, 1);
  });

  test('a fatal error (the server refuses the key) stops the run and leaves no paper marked running', async () => {
    const { assistant, files, out } = batchSetup(() => new AssistantError('Auth', '401'));
    const papers = ['papers/a.pdf', 'papers/b.pdf'].map((p) => files.uri(p));
    await assert.rejects(
      runBatch(
        { assistant, files: out, folders: [ROOT] },
        { papers, notesFolder: `${ROOT}/Literature`, columns: [], concurrency: 1, signal },
      ),
      (e: unknown) => (e as AssistantError).code === 'Auth',
    );
    const queue = await parseQueue(out.written.get(`${ROOT}/Literature/.research-assistant-batch.json`) ?? '');
    assert.ok('entries' in queue);
    assert.ok(
      queue.entries.every((e) => e.state !== 'running'),
      JSON.stringify(queue.entries),
    );
  });
});
