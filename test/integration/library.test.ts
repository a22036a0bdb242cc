import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeServer, type FakeServer, type RecordedRequest } from '../fakeServer';
import { LIBRARY_STATUS_BAR_COMMAND, vectorsText } from '../../src/vscode/adapters/libraryHost';
import { Commands } from '../../src/vscode/constants';
import type { LibraryStatus } from '../../src/core';
import { config, lastUser, openNote, writeFile } from './helpers';

const PAPER = '# Nap study\n\n## Results\n\nA 90-minute afternoon nap restored recall by 8% after sleep deprivation (n = 31).\n';

suite('library: Ask Library in the editor', function () {
  this.timeout(180_000);
  let fake: FakeServer;

  suiteSetup(async () => {
    fake = await startFakeServer({ flavour: 'ollama', ctx: 8192 });
    await config().update('endpoint', fake.url, vscode.ConfigurationTarget.Global);
    await writeFile('library-papers/nap-study.md', PAPER);
  });
  suiteTeardown(async () => {
    await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
    await fake.close();
  });

  test('the status names how the library searches: vectors being computed (how far), vectors, or words only', () => {
    const base: LibraryStatus = { files: [], indexed: 3, failed: 0, skipped: 0, pending: 0, chunks: 1200 };
    assert.equal(vectorsText(base), 'Word search only (no embedding model)');
    assert.equal(vectorsText({ ...base, embeddingModel: 'bge-m3' }), 'Vectors: bge-m3');
    assert.equal(
      vectorsText({ ...base, embeddingModel: 'bge-m3', embedding: { model: 'bge-m3', embedded: 96, total: 1200 } }),
      'Computing vectors with bge-m3: 96 of 1,200 passages (searching by words meanwhile)',
    );
  });

  test('Ask Library builds the index, answers from its passages citing them in the note’s syntax, and shows the count', async () => {
    const { doc } = await openNote('ask-library.md', '# Sleep review\n\nSee [[Background.md]].\n');
    fake.setReply('An afternoon nap restored recall by 8% (n = 31) [[library-papers/nap-study.md]].');
    await vscode.commands.executeCommand(Commands.askLibrary, { uri: doc.uri, question: 'How much did an afternoon nap restore recall?' });
    const prompt = lastUser(fake.chatRequests().at(-1) as RecordedRequest);
    assert.match(prompt, /cite as \[\[library-papers\/nap-study\.md\]\]/);
    assert.match(prompt, /restored recall by 8% after sleep deprivation/);
    assert.match(
      doc.getText(),
      /<!-- research:answer target="library:[a-z0-9]+" sources="[^"]*library-papers\/nap-study\.md[^"]*"[^\n]*-->\n> \[!question\] Answer: How much did an afternoon nap restore recall\?\n>\n> An afternoon nap restored recall by 8% \(n = 31\) \[\[library-papers\/nap-study\.md\]\]\./,
    );
    const status = await vscode.commands.executeCommand<LibraryStatus>(Commands.libraryStatus, {});
    assert.ok(status.indexed >= 2, `indexed ${status.indexed}`);
    assert.ok(status.files.some((f) => f.path === 'library-papers/nap-study.md' && f.status.state === 'indexed'));
    const bar = await vscode.commands.executeCommand<{ text: string; shown: boolean }>(LIBRARY_STATUS_BAR_COMMAND);
    assert.ok(bar.shown);
    assert.match(bar.text, new RegExp(`Library ${status.indexed.toLocaleString('en-US')}/${status.files.length.toLocaleString('en-US')}`));
  });

  test('nothing relevant: "not in the library" without a request to the server', async () => {
    const { doc } = await openNote('ask-library-none.md', '# Metals\n');
    const before = fake.chatRequests().length;
    await vscode.commands.executeCommand(Commands.askLibrary, { uri: doc.uri, question: 'What is the boiling point of tungsten?' });
    assert.match(doc.getText(), /Not in the library/);
    assert.equal(fake.chatRequests().length, before);
  });

  test('Find Related Papers (scripted) ranks the nap study for a paragraph about naps and links it at the cursor', async () => {
    const text = '# Draft\n\nAfternoon nap and recall after sleep deprivation.\n';
    const { doc } = await openNote('related.md', text);
    const result = await vscode.commands.executeCommand<{ papers: { path: string; link: string }[] }>(Commands.findRelatedPapers, {
      uri: doc.uri,
      selection: { start: text.indexOf('Afternoon'), end: text.length - 1 },
      insert: true,
    });
    assert.equal(result.papers[0]?.path, 'library-papers/nap-study.md');
    assert.ok(doc.getText().includes('[[library-papers/nap-study.md]]'));
  });
});
