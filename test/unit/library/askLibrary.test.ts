import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import {
  DEFAULT_CONFIG,
  InMemoryDocumentEditor,
  InMemoryKeyValueStore,
  createAssistant,
  findBlocks,
  inOtherLanguage,
  relevantPassages,
  resolveConfig,
  type Assistant,
  type Library,
} from '../../../src/core';
import { FakeLlmSession } from '../fakes/fakeLlmSession';
import { FakeLibrary, SLEEP_CHUNKS, sleepLibrary } from '../fakes/library';
import { InMemoryFiles, ROOT } from '../sources/inMemoryWorkspace';
import { builtinPromptSource, filesPortOf } from '../fakes/assistantFixtures';

const REPLY = 'Slow-wave sleep improved recall by 12% (n = 24) [[papers/sleep.pdf#page=4]].';

function setup(options: { files?: Record<string, string>; library?: Library | null; reply?: string } = {}): {
  assistant: Assistant;
  session: FakeLlmSession;
  library: FakeLibrary;
  connections: () => number;
} {
  const files = new InMemoryFiles({ 'paper.md': '# Paper\n\nText.\n', ...options.files });
  const session = new FakeLlmSession({ reply: () => options.reply ?? REPLY });
  const library = sleepLibrary(ROOT);
  let connections = 0;
  const assistant = createAssistant({
    ports: {
      files: filesPortOf(files),
      store: { open: () => new InMemoryKeyValueStore() },
      prompts: builtinPromptSource,
      pdf: { extract: () => Promise.reject(new Error('no PDFs read in these tests')) },
      bibtex: { parse: () => Promise.resolve([]) },
      llm: {
        session: () => {
          connections += 1;
          return Promise.resolve(session);
        },
      },
      ...(options.library === null ? {} : { library: options.library ?? library }),
    },
    settings: () => resolveConfig(DEFAULT_CONFIG),
  });
  return { assistant, session, library, connections: () => connections };
}

const signal = new AbortController().signal;

/** The sleep library searched like a vector index: every passage is a neighbour of any question, in any language. */
class NearestNeighbours extends FakeLibrary {
  constructor(root: string) {
    super(SLEEP_CHUNKS, root);
  }

  override search(query: string, options: Parameters<FakeLibrary['search']>[1]): ReturnType<FakeLibrary['search']> {
    const { signal: _signal, ...rest } = options;
    this.searches.push({ query, options: rest });
    return Promise.resolve(this.chunks.map((c, i) => ({ ...c, score: 1 / (60 + i) })));
  }
}
const lastPrompt = (session: FakeLlmSession): string => session.requests.at(-1)?.messages.at(-1)?.content ?? '';

void suite('Ask Library: top passages across the library, cited in the note’s syntax', () => {
  test('a wikilink note: passages are the sources, cited [[path#page=N]]; figures checked against them', async () => {
    const { assistant, session, library } = setup();
    const text = '# Notes\n\nSee [[paper.md]].\n';
    const editor = new InMemoryDocumentEditor(text, { uri: `${ROOT}/note.md` });
    const outcome = await assistant.run(
      { task: 'askLibrary', note: editor.asNote(), args: { question: 'How much did sleep improve recall?' } },
      { signal, editor },
    );
    assert.equal(library.searches[0]?.query, 'How much did sleep improve recall?');
    assert.equal(session.requests.length, 1);
    const prompt = lastPrompt(session);
    assert.match(prompt, /cite as \[\[papers\/sleep\.pdf#page=4\]\]/);
    assert.match(prompt, /cite as \[\[papers\/naps\.pdf#page=2\]\]/);
    assert.ok(prompt.includes('Slow-wave sleep improved recall by 12%'));
    // The unrelated paper is not sent.
    assert.ok(!prompt.includes('Protein folding'));
    assert.ok(outcome.sources.every((s) => s.uri.startsWith(`${ROOT}/papers/`)));
    assert.ok(outcome.spec.attributes.sources.includes('papers/sleep.pdf#page=4'));
    // "12%" and "n = 24" are in a retrieved passage: supported.
    assert.ok(outcome.grounding.checked > 0);
    assert.equal(outcome.grounding.supported, outcome.grounding.checked);
    const [block] = findBlocks(editor.getText());
    assert.equal(block?.kind, 'answer');
    assert.match(block?.attributes.target ?? '', /^library:/);
  });

  test('a markdown-link note in a subfolder cites [name](relative#page=N)', async () => {
    const { assistant, session } = setup({ files: { 'notes/other.md': '# Other\n' } });
    const text = '# Notes\n\nSee [other](other.md) and [paper](../paper.md).\n';
    const note = { uri: `${ROOT}/notes/review.md`, version: 1, languageId: 'markdown', getText: () => text };
    await assistant.run({ task: 'askLibrary', note, args: { question: 'sleep recall' } }, { signal });
    assert.match(lastPrompt(session), /cite as \[sleep\.pdf\]\(\.\.\/papers\/sleep\.pdf#page=4\)/);
  });

  test('a note citing by key cites [@key, p. N] for papers in its bibliography, links the others', async () => {
    const refs = JSON.stringify([{ id: 'walker2017', title: 'Sleep', file: 'papers/sleep.pdf' }]);
    const { assistant, session } = setup({ files: { 'refs.json': refs } });
    const text = '---\nbibliography: refs.json\n---\n# Review\n\nAs shown [@walker2017] and [@other2019].\n';
    const note = { uri: `${ROOT}/review.md`, version: 1, languageId: 'markdown', getText: () => text };
    await assistant.run({ task: 'askLibrary', note, args: { question: 'sleep recall' } }, { signal });
    const prompt = lastPrompt(session);
    assert.match(prompt, /cite as \[@walker2017, p\. 4\]/);
    assert.match(prompt, /cite as \[\[papers\/naps\.pdf#page=2\]\]/);
  });

  test('nothing relevant: "not in the library" without connecting or sending anything', async () => {
    const { assistant, session, connections } = setup();
    const editor = new InMemoryDocumentEditor('# Notes\n', { uri: `${ROOT}/note.md` });
    const outcome = await assistant.run(
      { task: 'askLibrary', note: editor.asNote(), args: { question: 'What is the boiling point of tungsten?' } },
      { signal, editor },
    );
    assert.equal(connections(), 0);
    assert.equal(session.requests.length, 0);
    assert.equal(outcome.result.requests, 0);
    assert.match(outcome.body, /Not in the library/);
    assert.ok(editor.getText().includes('Not in the library'));
  });

  test('in a Chinese note the "not in the library" answer is Chinese', async () => {
    const { assistant } = setup();
    const note = { uri: `${ROOT}/笔记.md`, version: 1, languageId: 'markdown', getText: () => '# 读书笔记\n\n这是关于睡眠的笔记。\n' };
    const outcome = await assistant.run({ task: 'askLibrary', note, args: { question: '钨的熔点是多少？' } }, { signal });
    assert.match(outcome.body, /资料库中没有找到/);
  });

  test('passages found only in another language than the question: says so, sends nothing', async () => {
    // A multilingual embedding model finds English passages for a Chinese question; no word is shared, so
    // whether they answer it cannot be told, and "not in the library" would claim more than is known.
    const library = new NearestNeighbours(ROOT);
    const chinese = setup({ library });
    const note = { uri: `${ROOT}/笔记.md`, version: 1, languageId: 'markdown', getText: () => '# 读书笔记\n\n这是关于睡眠的笔记。\n' };
    const zh = await chinese.assistant.run({ task: 'askLibrary', note, args: { question: '睡眠对记忆有什么影响？' } }, { signal });
    assert.equal(library.searches.length, 1);
    assert.equal(chinese.connections(), 0);
    assert.equal(zh.result.requests, 0);
    assert.match(zh.body, /另一种语言/);
    assert.doesNotMatch(zh.body, /资料库中没有找到/);

    const english = setup({ library: new NearestNeighbours(ROOT) });
    const editor = new InMemoryDocumentEditor('# Notes\n', { uri: `${ROOT}/note.md` });
    const en = await english.assistant.run(
      { task: 'askLibrary', note: editor.asNote(), args: { question: '睡眠对记忆有什么影响？' } },
      { signal, editor },
    );
    assert.match(en.body, /in another language/);
    assert.equal(english.connections(), 0);
  });

  test('the note’s own passages are not its answer', async () => {
    const { assistant, library, session } = setup();
    const note = { uri: `${ROOT}/papers/sleep.pdf`, version: 1, languageId: 'markdown', getText: () => '# x\n' };
    await assistant.run({ task: 'askLibrary', note, args: { question: 'sleep recall' } }, { signal });
    assert.ok(library.searches.length === 1);
    assert.ok(!lastPrompt(session).includes('papers/sleep.pdf#page=4'));
  });

  test('without a question: NoInput before searching', async () => {
    const { assistant, library } = setup();
    const note = { uri: `${ROOT}/note.md`, version: 1, languageId: 'markdown', getText: () => '# x\n' };
    await assert.rejects(assistant.run({ task: 'askLibrary', note, args: { question: '  ' } }, { signal }), /No question/);
    assert.equal(library.searches.length, 0);
  });

  test('the library the assistant builds over the workspace: after an update, its passages answer', async () => {
    const paper = '# Sleep study\n\n## Results\n\nSlow-wave sleep improved recall by 12% (n = 24) in the treatment group.\n';
    const { assistant, session } = setup({ library: null, files: { 'papers/sleep-study.md': paper } });
    const note = { uri: `${ROOT}/note.md`, version: 1, languageId: 'markdown', getText: () => '# Notes\n\nSee [[paper.md]].\n' };
    const status = await assistant.library.update({ signal });
    assert.ok(status.indexed >= 2, JSON.stringify(status));
    const outcome = await assistant.run(
      { task: 'askLibrary', note, args: { question: 'How much did slow-wave sleep improve recall?' } },
      { signal },
    );
    assert.equal(session.requests.length, 1);
    assert.match(lastPrompt(session), /cite as \[\[papers\/sleep-study\.md\]\]/);
    assert.equal(outcome.grounding.supported, outcome.grounding.checked);
  });
});

void suite('Ask About Note and Draft Section with the library scope', () => {
  const text = '# Notes\n\nSee [[paper.md]].\n\n## Sleep and recall\n';
  const note = { uri: `${ROOT}/note.md`, version: 1, languageId: 'markdown', getText: () => text };

  test('ask: the note, its linked papers and the library passages, in a block of its own', async () => {
    const { assistant, session } = setup();
    const linked = await assistant.run({ task: 'ask', note, args: { question: 'sleep recall?' } }, { signal });
    const outcome = await assistant.run({ task: 'ask', note, args: { question: 'sleep recall?', scope: 'library' } }, { signal });
    assert.deepEqual(linked.sources.map((s) => s.id).slice(0, 2), outcome.sources.map((s) => s.id).slice(0, 2));
    assert.ok(outcome.sources.some((s) => s.id === 'papers/sleep.pdf#page=4'));
    assert.notEqual(linked.spec.attributes.target, outcome.spec.attributes.target);
    assert.match(lastPrompt(session), /cite as \[\[papers\/sleep\.pdf#page=4\]\]/);
  });

  test('ask without the scope never searches the library', async () => {
    const { assistant, library } = setup();
    await assistant.run({ task: 'ask', note, args: { question: 'sleep recall?' } }, { signal });
    assert.equal(library.searches.length, 0);
  });

  test('draft: searches for the outline and drafts from linked papers plus passages', async () => {
    const { assistant, library, session } = setup();
    const outcome = await assistant.run({ task: 'draft', note, args: { heading: 'Sleep and recall', scope: 'library' } }, { signal });
    assert.equal(library.searches[0]?.query, 'Sleep and recall');
    assert.ok(outcome.sources.some((s) => s.id === 'paper.md'));
    assert.ok(outcome.sources.some((s) => s.id === 'papers/naps.pdf#page=2'));
    assert.ok(lastPrompt(session).includes('90-minute nap'));
  });

  test('preview with the library scope lists the passages and their tokens', async () => {
    const { assistant } = setup();
    const outcome = await assistant.preview(note, { scope: 'library', question: 'sleep recall', signal });
    assert.deepEqual(
      outcome.passages.map((p) => p.id),
      ['papers/sleep.pdf#page=4', 'papers/naps.pdf#page=2', 'papers/sleep.pdf#page=1'],
    );
    const row = outcome.preview.parts.find((p) => p.sourceId === 'papers/sleep.pdf#page=4');
    assert.ok(row && row.tokens > 0);
    assert.match(outcome.text, /papers\/naps\.pdf#page=2/);
    assert.match(outcome.text, /Question: sleep recall/);
  });
});

void suite('relevance floor', () => {
  const passage = (text: string, score: number) => ({ id: 'a#0', uri: 'file:///ws/a.pdf', path: 'a.pdf', start: 0, end: 1, text, score });

  test('nearest neighbours sharing no word with the question are not relevant', () => {
    assert.deepEqual(relevantPassages('tungsten boiling point', [passage('Sleep improved recall.', 0.03)]), []);
  });

  test('one shared word keeps the list (paraphrasing neighbours included); zero scores never count', () => {
    const kept = relevantPassages('sleep and recall', [
      passage('Sleep improved recall.', 0.03),
      passage('Naps help.', 0.02),
      passage('sleep', 0),
    ]);
    assert.equal(kept.length, 2);
  });

  test('one common word of a longer question is no answer', () => {
    assert.deepEqual(relevantPassages('What is the boiling point of tungsten?', [passage('The main point is that naps help.', 2)]), []);
  });

  test('Chinese questions match by character pairs', () => {
    assert.equal(relevantPassages('睡眠对记忆的影响', [passage('研究表明睡眠能改善记忆。', 1)]).length, 1);
    assert.equal(relevantPassages('钨的熔点', [passage('研究表明睡眠能改善记忆。', 1)]).length, 0);
  });

  test('in another language: only when no passage found is written in the question’s script', () => {
    const english = [passage('Sleep improved recall.', 0.5), passage('Naps help.', 0.4)];
    assert.equal(inOtherLanguage('睡眠对记忆的影响', english), true);
    // One passage in Chinese: the library speaks the question's language, and shared words decide.
    assert.equal(inOtherLanguage('睡眠对记忆的影响', [...english, passage('研究表明睡眠能改善记忆。', 0.3)]), false);
    // An English term in a Chinese question can be matched: no excuse.
    assert.equal(inOtherLanguage('REM 睡眠对记忆的影响', english), false);
    assert.equal(inOtherLanguage('睡眠对记忆的影响', []), false);
    assert.equal(inOtherLanguage('睡眠对记忆的影响', [passage('Sleep improved recall.', 0)]), false);
    assert.equal(inOtherLanguage('sleep and memory', [passage('研究表明睡眠能改善记忆。', 0.5)]), true);
    assert.equal(inOtherLanguage('sleep and memory', [passage('研究表明 REM 睡眠能改善记忆。', 0.5)]), false);
    assert.equal(inOtherLanguage('tungsten boiling point', english), false);
  });
});
