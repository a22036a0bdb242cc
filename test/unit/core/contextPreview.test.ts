import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import {
  DEFAULT_CONFIG,
  InMemoryDocumentEditor,
  InMemoryKeyValueStore,
  PREVIEW_QUESTION,
  createAssistant,
  resolveConfig,
  type Assistant,
} from '../../../src/core';
import { FakeLlmSession } from '../fakes/fakeLlmSession';
import { InMemoryFiles, ROOT } from '../sources/inMemoryWorkspace';
import { builtinPromptSource, PAPER, filesPortOf } from '../fakes/assistantFixtures';

const OTHER = '# Naps\n\nA daytime nap of 90 minutes restored encoding capacity.\n';
// A note holding one of the assistant's own blocks: a long comparison table that is never sent.
const TABLE = Array.from({ length: 40 }, (_, i) => `| paper ${i} | a long cell of generated text, row ${i} | 12% |`).join('\n');
const NOTE_TEXT = [
  '# Reading notes',
  '',
  'See [[paper.md]] and [[naps.md]] for the study.',
  '',
  '<!-- research:comparison target="links" sources="paper.md; naps.md" model="m" date="2026-01-01" -->',
  '| Paper | Finding | Figure |',
  '| --- | --- | --- |',
  TABLE,
  '<!-- /research:comparison -->',
  '',
  'Recall and sleep.',
  '',
].join('\n');

function setup(): { assistant: Assistant; session: FakeLlmSession } {
  const files = new InMemoryFiles({ 'paper.md': PAPER, 'naps.md': OTHER, 'note.md': NOTE_TEXT });
  const session = new FakeLlmSession({ reply: () => 'Recall improved by 12% (paper.md).' });
  const assistant = createAssistant({
    ports: {
      files: filesPortOf(files),
      store: new InMemoryKeyValueStore(),
      prompts: builtinPromptSource,
      pdf: { extract: () => Promise.reject(new Error('no PDFs in this test')) },
      bibtex: { parse: () => Promise.resolve([]) },
      llm: { session: () => Promise.resolve(session) },
    },
    settings: () => resolveConfig({ ...DEFAULT_CONFIG }),
  });
  return { assistant, session };
}

const signal = new AbortController().signal;

void suite('assistant.preview: what Ask About Note would send', () => {
  test('the previewed messages are the messages the task sends, the note’s own blocks left out of text and count', async () => {
    const { assistant, session } = setup();
    const note = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` }).asNote();
    const { preview, collected, text } = await assistant.preview(note, { signal, usableContext: 8192 });
    await assistant.run({ task: 'ask', note, args: { question: PREVIEW_QUESTION } }, { signal });
    assert.equal(session.requests.length, 1);
    assert.deepEqual(preview.messages, session.requests[0]?.messages);

    const sent = preview.messages.map((m) => m.content).join('\n');
    assert.doesNotMatch(sent, /a long cell of generated text/);
    assert.match(sent, /<source id="paper\.md"[^>]*>[\s\S]*12% \(n = 24\)[\s\S]*<\/source>/);
    // The count is of the request, not of the note as read (which includes the table).
    assert.ok(preview.totalTokens < collected.totalTokens, `${preview.totalTokens} < ${collected.totalTokens}`);
    const notePart = preview.parts.find((p) => p.sourceId === 'note.md');
    assert.ok(notePart && notePart.tokens < collected.note.tokenEstimate, 'the note part counts the note without its blocks');
    // Parts in the order they are sent: linked papers by id, the note last (it changes with every answer, so it
    // stays out of the prefix the server can cache).
    assert.deepEqual(
      preview.parts.map((p) => p.sourceId ?? p.kind),
      ['instructions', 'naps.md', 'paper.md', 'note.md'],
    );
    assert.equal(
      preview.parts.reduce((n, p) => n + p.tokens, 0),
      preview.totalTokens,
    );

    // The document shows the total against the usable context, a row per part and every message verbatim.
    assert.match(text, /^# Context preview: note\.md/);
    assert.match(text, new RegExp(`\\*\\*${preview.totalTokens.toLocaleString('en-US')} tokens\\*\\* of 8,192 usable`));
    assert.match(text, /\| Sleep study \(paper\.md\) \| \d+ \|/);
    for (const m of preview.messages) assert.ok(text.includes(m.content), `message ${m.role} shown verbatim`);
  });

  test('a source the user leaves out is neither sent nor counted, and is listed as left out', async () => {
    const { assistant } = setup();
    const note = new InMemoryDocumentEditor(NOTE_TEXT, { uri: `${ROOT}/note.md` }).asNote();
    const all = await assistant.preview(note, { signal });
    const fewer = await assistant.preview(note, { signal, exclude: ['naps.md'] });
    assert.ok(fewer.preview.totalTokens < all.preview.totalTokens);
    assert.doesNotMatch(fewer.preview.messages.map((m) => m.content).join('\n'), /daytime nap/);
    assert.deepEqual(
      fewer.preview.leftOut.map((s) => s.id),
      ['naps.md'],
    );
    assert.match(fewer.text, /- naps\.md \(left out\)/);
    assert.match(all.text, /usable context unknown/);
  });
});
