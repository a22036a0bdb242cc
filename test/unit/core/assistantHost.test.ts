/**
 * The assistant as a host without its own connection uses it (the command line): the default LLM provider
 * against a fake llama.cpp server, the in-memory editor for `--write`, and the grounding policy of Check.
 */
import assert from 'node:assert/strict';
import { after, suite, test } from 'node:test';
import {
  DEFAULT_CONFIG,
  InMemoryDocumentEditor,
  InMemoryKeyValueStore,
  createAssistant,
  findBlocks,
  resolveConfig,
  type AssistantConfig,
  type NoteDocument,
} from '../../../src/core';
import { startFakeServer, type FakeServer } from '../../fakeServer/index';
import { InMemoryFiles, ROOT } from '../sources/inMemoryWorkspace';
import { builtinPromptSource, PAPER, filesPortOf } from '../fakes/assistantFixtures';

function assistantFor(files: InMemoryFiles, config: Partial<AssistantConfig>) {
  return createAssistant({
    ports: {
      files: filesPortOf(files),
      store: { open: () => new InMemoryKeyValueStore() },
      prompts: builtinPromptSource,
      pdf: { extract: () => Promise.reject(new Error('no PDFs here')) },
      bibtex: { parse: () => Promise.resolve([]) },
    },
    settings: () => resolveConfig({ ...DEFAULT_CONFIG, ...config }),
  });
}

const signal = new AbortController().signal;

void suite('assistant over a real HTTP server (default provider) and the in-memory editor', () => {
  const servers: FakeServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('ask → block written into the in-memory note; check finds the invented figure', async () => {
    const server = await startFakeServer({ flavour: 'llamacpp', tokensPerSecond: 100_000, ctx: 8192 });
    servers.push(server);
    server.setReply('Recall improved by 12% (n = 24), and by 45% at follow-up (paper.md).');
    const files = new InMemoryFiles({ 'paper.md': PAPER });
    const text = '# Notes\n\nSee [[paper.md]].\n';
    const editor = new InMemoryDocumentEditor(text, { uri: `${ROOT}/note.md` });
    const assistant = assistantFor(files, { endpoint: server.url });
    const session = await assistant.connect(signal);
    assert.equal(session.info.kind, 'llamacpp');
    const outcome = await assistant.run(
      { task: 'ask', note: editor.asNote(), args: { question: 'How much did recall improve?' } },
      { signal, editor },
    );
    assert.equal(server.chatRequests().length, 1);
    const [block] = findBlocks(editor.getText());
    assert.equal(block?.kind, 'answer');
    assert.equal(block?.attributes.figures, `${outcome.grounding.supported}/${outcome.grounding.checked}`);
    assert.ok(outcome.grounding.checked >= 3);
    assert.equal(outcome.grounding.checked - outcome.grounding.supported, 1, 'only 45% is not in the paper');

    const check = await assistant.check(editor.asNote(), { signal });
    assert.equal(check.report.unsupported, 1);
    const unsupported = check.blocks[0]?.check.items.filter((i) => i.status === 'unsupported') ?? [];
    assert.equal(unsupported.length, 1);
    assert.equal(editor.getText().slice(unsupported[0]!.start, unsupported[0]!.end), unsupported[0]!.text);
    assert.match(unsupported[0]!.text, /45/);
    // The header already records the figures: no edit needed after the insertion.
    assert.equal(check.edits.length, 0);
  });

  test('check: a note summary is checked against the note with the block blanked out; unreadable sources are named', async () => {
    const files = new InMemoryFiles({});
    const assistant = assistantFor(files, {});
    const text = [
      '# Notes',
      '',
      'Recall improved by 12%.',
      '',
      '<!-- research:summary target="note" sources="note.md" model="m" date="2026-01-01" -->',
      '> [!summary] Summary',
      '> - Recall improved by 12% and by 30% later.',
      '<!-- /research:summary -->',
      '',
      '<!-- research:answer target="q" sources="gone.pdf" model="m" date="2026-01-01" -->',
      '> 7 of 9 agreed.',
      '<!-- /research:answer -->',
      '',
    ].join('\n');
    const note: NoteDocument = { uri: `${ROOT}/note.md`, version: 1, languageId: 'markdown', getText: () => text };
    const check = await assistant.check(note, { signal });
    assert.equal(check.blocks.length, 2);
    const summary = check.blocks[0]!;
    assert.deepEqual(
      summary.check.items.map((i) => [i.text, i.status]),
      [
        ['12%', 'supported'],
        ['30%', 'unsupported'],
      ],
    );
    assert.deepEqual(check.blocks[1]?.missing, ['gone.pdf']);
    // Blocks never checked get their figures header written.
    assert.equal(check.edits.filter((e) => e.text.includes('figures=')).length, 2);
    const at = text.indexOf('7 of 9');
    const one = await assistant.check(note, { signal, at });
    assert.equal(one.report.blocks.length, 1);
    assert.equal(one.report.blocks[0]?.kind, 'answer');
  });
});
