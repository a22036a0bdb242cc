import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import {
  DEFAULT_CONFIG,
  InMemoryDocumentEditor,
  InMemoryKeyValueStore,
  createAssistant,
  findBlocks,
  isCancellationError,
  resolveConfig,
  type Assistant,
  type AssistantConfig,
  type LlmProvider,
  type PdfTextExtractor,
  type NoteDocument,
} from '../../../src/core';
import { AssistantError, hasErrorCode, isAssistantError } from '../../../src/core/errors';
import { FakeLlmSession, type FakeOptions } from '../fakes/fakeLlmSession';
import { InMemoryFiles, ROOT } from '../sources/inMemoryWorkspace';
import { builtinPromptSource, PAPER, filesPortOf } from '../fakes/assistantFixtures';

const NOTE_TEXT = '# Reading notes\n\nSee [[paper.md]] for the study.\n\nRecall and sleep.\n';

/** A stand-in for the PDF engine: the file's text after its `%PDF-` header line is page 1. */
const fakePdf: PdfTextExtractor = {
  extract: (bytes) => {
    const page = new TextDecoder().decode(bytes).replace(/^%PDF-[^\n]*\n/, '');
    const text = `[page 1]\n\n${page}`;
    const stats = { ligaturesRepaired: 0, controlCharsRemoved: 0, hyphenationsJoined: 0, repeatedLinesRemoved: 0, twoColumnPages: 0 };
    const sections = [{ title: 'Page 1', level: 1, text, location: { page: 1 }, role: 'body' as const }];
    return Promise.resolve({ pageCount: 1, pagesRead: 1, pages: [page], text, sections, stats, characters: page.length });
  },
};

function setup(
  options: {
    reply?: FakeOptions['reply'];
    config?: Partial<AssistantConfig>;
    files?: Record<string, string>;
    llm?: LlmProvider;
    /** Another assistant's stores: this one is a new session of the same user (a restart, the CLI). */
    stores?: Map<string, InMemoryKeyValueStore>;
  } = {},
): {
  assistant: Assistant;
  session: FakeLlmSession;
  stores: Map<string, InMemoryKeyValueStore>;
  files: InMemoryFiles;
} {
  const files = new InMemoryFiles({ 'paper.md': PAPER, 'note.md': NOTE_TEXT, ...options.files });
  const session = new FakeLlmSession({ reply: options.reply ?? (() => '- Recall improved by 12% (n = 24) (paper.md)') });
  const stores = options.stores ?? new Map<string, InMemoryKeyValueStore>();
  const assistant = createAssistant({
    ports: {
      files: filesPortOf(files),
      store: {
        open: (area) => {
          const store = stores.get(area.name) ?? new InMemoryKeyValueStore();
          stores.set(area.name, store);
          return store;
        },
      },
      prompts: builtinPromptSource,
      pdf: fakePdf,
      bibtex: { parse: () => Promise.resolve([]) },
      llm: options.llm ?? { session: () => Promise.resolve(session) },
    },
    settings: () => resolveConfig({ ...DEFAULT_CONFIG, ...options.config }),
  });
  return { assistant, session, stores, files };
}

const signal = new AbortController().signal;

void suite('createAssistant: one code path for the inserting tasks', () => {
  test('summarize with an editor: streams the block in, records figures, returns block, edits and grounding', async () => {
    const { assistant, session } = setup();
    const editor = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` });
    const streamed: string[] = [];
    const outcome = await assistant.run({ task: 'summarize', note: editor.asNote() }, { signal, editor, sink: (d) => streamed.push(d) });
    assert.equal(session.requests.length, 1);
    assert.ok(outcome.applied);
    const text = editor.getText();
    assert.ok(text.includes(outcome.block));
    const [block] = findBlocks(text);
    assert.equal(block?.kind, 'summary');
    assert.equal(block?.attributes.target, 'note');
    assert.equal(outcome.spec.attributes.figures, `${outcome.grounding.supported}/${outcome.grounding.checked}`);
    assert.ok(outcome.grounding.checked > 0);
    assert.equal(streamed.join(''), outcome.result.text);
    // At the end of the note when no cursor is known.
    assert.ok(text.startsWith(`${NOTE_TEXT}\n<!-- research:summary`), text);
    assert.ok(text.endsWith('<!-- /research:summary -->\n'), text);
  });

  test('a streamed answer served again from the cache in a new session gets the verdicts remembered for it', async () => {
    const first = setup();
    const editor = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` });
    const generated = await first.assistant.run({ task: 'summarize', note: editor.asNote() }, { signal, editor });
    assert.equal(generated.result.fromCache, false);
    const results = first.stores.get('results');
    const remembered = [...(results?.map.keys() ?? [])].filter((k) => k.startsWith('grounding-v'));
    assert.equal(remembered.length, 1, 'the streamed answer’s verdicts are remembered');
    // Mark the remembered verdicts, so that their use shows in the block the next session inserts.
    const key = remembered[0] ?? '';
    const entry = JSON.parse(results?.map.get(key) ?? '{}') as { body: string };
    results?.map.set(key, JSON.stringify({ ...entry, body: `${entry.body}\nREMEMBERED` }));

    const second = setup({ stores: first.stores });
    const again = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` });
    const served = await second.assistant.run({ task: 'summarize', note: again.asNote() }, { signal, editor: again });
    assert.equal(served.result.fromCache, true);
    assert.equal(second.session.requests.length, 0);
    assert.match(served.body, /REMEMBERED/, 'the remembered verdicts were used, not a new check');
    assert.deepEqual(served.grounding, generated.grounding);
    assert.ok(again.getText().includes('REMEMBERED'));
  });

  test('summarize without an editor: the same block as an edit plan, nothing applied; a re-run comes from the cache', async () => {
    const { assistant, session } = setup();
    const note: NoteDocument = { uri: `${ROOT}/note.md`, version: 3, languageId: 'markdown', getText: () => NOTE_TEXT };
    const first = await assistant.run({ task: 'summarize', note }, { signal });
    assert.equal(first.applied, false);
    assert.equal(first.edits.documentVersion, 3);
    assert.equal(first.edits.edits.length, 1);
    const edit = first.edits.edits[0]!;
    const after = NOTE_TEXT.slice(0, edit.start) + edit.text + NOTE_TEXT.slice(edit.end);
    assert.ok(after.includes(first.block));
    const again = await assistant.run({ task: 'summarize', note }, { signal });
    assert.equal(again.result.fromCache, true);
    assert.equal(session.requests.length, 1);
    const regenerated = await assistant.run({ task: 'summarize', note, args: { regenerate: true } }, { signal });
    assert.equal(regenerated.result.fromCache, false);
    assert.equal(session.requests.length, 2);
  });

  test('ask reads the note and its linked papers; the block names them in its sources', async () => {
    const { assistant, session } = setup();
    const editor = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` });
    const outcome = await assistant.run(
      { task: 'ask', note: editor.asNote(), cursor: 0, args: { question: 'What improved?' } },
      { signal, editor },
    );
    assert.deepEqual(
      outcome.sources.map((s) => s.kind),
      ['note', 'markdown'],
    );
    assert.ok(outcome.spec.attributes.sources.includes('paper.md'));
    assert.match(outcome.spec.title, /What improved\?/);
    assert.ok(session.requests[0]?.messages.at(-1)?.content.includes('Slow-wave sleep'));
  });

  test('a missing question is refused before any request', async () => {
    const { assistant, session } = setup();
    const note: NoteDocument = { uri: `${ROOT}/note.md`, version: 1, languageId: 'markdown', getText: () => NOTE_TEXT };
    await assert.rejects(assistant.run({ task: 'ask', note }, { signal }), (e) => hasErrorCode(e, 'NoInput'));
    assert.equal(session.requests.length, 0);
  });

  test('explain term in footnote style: the edit plan is the footnote reference and definition, one undo step', async () => {
    const { assistant } = setup({ reply: () => 'Recall is remembering (paper.md).' });
    const editor = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` });
    const at = NOTE_TEXT.indexOf('Recall') + 2;
    const outcome = await assistant.run({ task: 'explainTerm', note: editor.asNote(), cursor: at }, { signal, editor });
    const text = editor.getText();
    assert.ok(text.includes('Recall[^recall] and sleep.'));
    assert.ok(text.endsWith('[^recall]: Recall is remembering (paper.md).\n'));
    assert.equal(outcome.edits.edits.length, 2);
    assert.equal(editor.undoStack.length, 1);
  });

  test('explain term in callout style streams an explanation block below the paragraph', async () => {
    const { assistant } = setup({ reply: () => 'Recall is remembering.', config: { explainTermStyle: 'callout' } });
    const editor = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` });
    const outcome = await assistant.run({ task: 'explainTerm', note: editor.asNote(), args: { term: 'Recall' } }, { signal, editor });
    assert.equal(outcome.spec.kind, 'explanation');
    assert.equal(outcome.spec.attributes.target, 'term:recall');
    assert.ok(editor.getText().endsWith(`Recall and sleep.\n\n${outcome.block}`.slice(0, -1)) || editor.getText().includes(outcome.block));
  });

  test('compare renders the table by code, one row per linked paper: PDFs and citations, not linked notes', async () => {
    const reply = (): string =>
      JSON.stringify({ aim: { value: 'Sleep and recall', quote: 'Slow-wave sleep improved recall', locator: 'Results' } });
    const { assistant } = setup({ reply, files: { 'study.pdf': `%PDF-1.4\n${PAPER}` } });
    const text = '# Reading notes\n\n- [[study.pdf]]\n- [[paper.md]]\n- Definitions: [[Methods glossary]]\n';
    const editor = new InMemoryDocumentEditor(text, { uri: `${ROOT}/note.md` });
    const outcome = await assistant.run({ task: 'compare', note: editor.asNote(), args: { columns: ['Aim'] } }, { signal, editor });
    assert.equal(outcome.spec.kind, 'comparison');
    assert.equal(outcome.spec.style, 'plain');
    assert.match(outcome.body, /^\| Paper +\| Aim +\|/);
    assert.match(outcome.body, /\[\[study\.pdf\]\]/);
    assert.doesNotMatch(outcome.body, /paper\.md|glossary/i);
    assert.deepEqual(
      outcome.sources.map((s) => s.id),
      ['study.pdf'],
    );
  });

  test('summarize linked paper by its link; draft under a heading; run prompt by id', async () => {
    const { assistant } = setup();
    const editor = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` });
    const note = editor.asNote();
    const paper = await assistant.run({ task: 'summarizePaper', note, args: { link: '[[paper.md]]' } }, { signal, editor });
    assert.equal(paper.spec.attributes.target, 'paper:[[paper.md]]');
    assert.match(paper.spec.title, /Sleep study|paper/);
    const draft = await assistant.run({ task: 'draft', note, args: { heading: 'Reading notes' } }, { signal, editor });
    assert.equal(draft.spec.kind, 'draft');
    const prompt = await assistant.run(
      { task: 'runPrompt', note, args: { promptId: 'ask', question: 'What improved?' } },
      { signal, editor },
    );
    assert.equal(prompt.spec.kind, 'prompt');
    assert.equal(findBlocks(editor.getText()).length, 3);
  });

  test('a second run of the same task on the same note is refused while the first runs', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { assistant } = setup({ reply: async () => (await gate, 'done') });
    const note: NoteDocument = { uri: `${ROOT}/note.md`, version: 1, languageId: 'markdown', getText: () => NOTE_TEXT };
    const first = assistant.run({ task: 'summarize', note }, { signal });
    await assert.rejects(assistant.run({ task: 'summarize', note }, { signal }), (e) => hasErrorCode(e, 'AlreadyRunning'));
    release();
    await first;
    await assistant.run({ task: 'summarize', note, args: { regenerate: true } }, { signal });
  });

  test('closing the note cancels the run', async () => {
    const editor = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` });
    // The user closes the note once the request is out.
    const { assistant } = setup({ reply: () => (editor.close(), { text: 'word '.repeat(200), delayMs: 5 }) });
    await assert.rejects(assistant.run({ task: 'summarize', note: editor.asNote() }, { signal, editor }), (e) => isCancellationError(e));
    assert.equal(editor.getText(), NOTE_TEXT);
  });

  test('check: the grounding of the note blocks against the sources a task remembered; clearCaches empties the stores', async () => {
    const { assistant, stores } = setup();
    const editor = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` });
    await assistant.run({ task: 'ask', note: editor.asNote(), args: { question: 'What improved?' } }, { signal, editor });
    const check = await assistant.check(editor.asNote(), { signal });
    assert.equal(check.blocks.length, 1);
    assert.equal(check.report.unsupported, 0);
    assert.ok((check.report.blocks[0]?.checked ?? 0) > 0);
    await assistant.clearCaches();
    // The result cache was emptied: the same question is asked again.
    const again = await assistant.run({ task: 'ask', note: editor.asNote(), args: { question: 'What improved?' } }, { signal, editor });
    assert.equal(again.result.fromCache, false);
    assert.ok(stores.has('results') && stores.has('extraction-cache'));
  });
});

void suite('the input is checked before connecting to a model server', () => {
  /** A model server that is not there, counting the attempts. */
  function noServer(): LlmProvider & { attempts: number } {
    const provider = {
      attempts: 0,
      session: () => {
        provider.attempts += 1;
        return Promise.reject(new AssistantError('EndpointUnreachable', 'No model server answered', { data: { endpoint: 'x' } }));
      },
    };
    return provider;
  }
  const run = (files: Record<string, string>, request: Omit<Parameters<Assistant['run']>[0], 'note'>) => {
    const llm = noServer();
    const { assistant } = setup({ files, llm });
    const text = files['n.md'] ?? '';
    const note: NoteDocument = { uri: `${ROOT}/n.md`, version: 1, languageId: 'markdown', getText: () => text };
    return { llm, result: assistant.run({ ...request, note }, { signal }) };
  };
  const rejectsWith = async (r: ReturnType<typeof run>, code: string, data: Record<string, unknown>): Promise<void> => {
    await assert.rejects(r.result, (e) => {
      assert.ok(isAssistantError(e), String(e));
      assert.equal(e.code, code, e.message);
      for (const [k, v] of Object.entries(data)) assert.equal(e.data[k], v, k);
      return true;
    });
    assert.equal(r.llm.attempts, code === 'EndpointUnreachable' ? 1 : 0);
  };

  test('an empty note, or one with only a title and front matter: nothing to summarize', async () => {
    await rejectsWith(run({ 'n.md': '' }, { task: 'summarize' }), 'NoInput', { reason: 'emptyNoteSummary' });
    await rejectsWith(run({ 'n.md': '---\ntitle: x\n---\n\n# Title\n\n' }, { task: 'summarize', cursor: 0 }), 'NoInput', {
      reason: 'emptyNoteSummary',
    });
    await rejectsWith(run({ 'n.md': '# T\n' }, { task: 'ask', args: { question: 'Why?' } }), 'NoInput', { reason: 'emptyNote' });
  });

  test('Summarize Linked Paper on a missing PDF names the file and its line', async () => {
    const text = '# Notes\n\nSome text.\n\n- [[papers/missing.pdf]]\n';
    await rejectsWith(run({ 'n.md': text }, { task: 'summarizePaper', args: { link: '[[papers/missing.pdf]]' } }), 'SourceUnreadable', {
      file: 'papers/missing.pdf',
      status: 'missing',
      line: 5,
    });
  });

  test('Compare: no papers (only linked notes) says so; every paper missing names the first', async () => {
    await rejectsWith(run({ 'n.md': '# N\n\n- [[paper.md]]\n- [[Glossary]]\n' }, { task: 'compare' }), 'NoInput', { reason: 'noPapers' });
    await rejectsWith(run({ 'n.md': '# N\n\n- [[a.pdf]]\n- [[b.pdf]]\n' }, { task: 'compare' }), 'SourceUnreadable', {
      file: 'a.pdf',
      others: 1,
    });
  });

  test('a missing link among readable sources does not stop the task: the server is asked', async () => {
    const text = '# Notes\n\nRecall and sleep.\n\n- [[papers/missing.pdf]]\n';
    await rejectsWith(run({ 'n.md': text }, { task: 'ask', args: { question: 'Why?' } }), 'EndpointUnreachable', {});
  });
});
