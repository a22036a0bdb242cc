import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeServer, type FakeServer, type Reply } from '../fakeServer';
import { Commands } from '../../src/vscode/constants';
import { LAST_ERROR_COMMAND } from '../../src/vscode/ui/errors';
import { config, openNote, writeFile } from './helpers';

/** A note shaped like the demo workspace's: front matter, title, a list of papers, sections. */
const NOTE = `---
title: Heat notes
bibliography: refs.bib
---

# Heat notes

Working notes for the background section.

## Papers

- Sleep deprivation study: [[papers/smith2021-sleep.pdf]]
- Nap trial: [Lee 2022](papers/lee2022-nap.pdf)
- Definitions I keep forgetting: [[Methods glossary]]

## Open questions

- Do naps help older adults?

## Draft outline

### Background
`;

const LIST = [
  '- Sleep deprivation study: [[papers/smith2021-sleep.pdf]]',
  '- Nap trial: [Lee 2022](papers/lee2022-nap.pdf)',
  '- Definitions I keep forgetting: [[Methods glossary]]',
].join('\n');

async function lastError(): Promise<{ code: string; message: string } | undefined> {
  return vscode.commands.executeCommand(LAST_ERROR_COMMAND);
}

/** Puts the cursor at the first occurrence of `text` (plus `delta` characters). */
function cursorAt(editor: vscode.TextEditor, text: string, delta = 0): void {
  const offset = editor.document.getText().indexOf(text);
  assert.ok(offset >= 0, text);
  const position = editor.document.positionAt(offset + delta);
  editor.selection = new vscode.Selection(position, position);
}

suite('placement: blocks go after the list or section, never inside a list', function () {
  this.timeout(120_000);
  let fake: FakeServer;

  suiteSetup(async () => {
    fake = await startFakeServer({ flavour: 'ollama', trainedCtx: 8192, ctx: 8192, tokensPerSecond: 4000 });
    await config().update('endpoint', fake.url, vscode.ConfigurationTarget.Global);
    await config().update('model', '', vscode.ConfigurationTarget.Global);
    await writeFile('Methods glossary.md', '# Methods glossary\n\nUHI: urban heat island.\n');
  });
  suiteTeardown(async () => {
    await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
    await fake.close();
  });

  test('Summarize Linked Paper on item 2 and Compare on item 1: both blocks after the whole list, the list stays one list', async () => {
    const { doc, editor } = await openNote('place-list.md', NOTE);
    fake.setReply('- A nap improved recall (p. 1)');
    cursorAt(editor, 'papers/lee2022', 3);
    await vscode.commands.executeCommand(Commands.summarizeLinkedPaper, { uri: doc.uri });
    assert.ok(doc.getText().includes(`${LIST}\n\n<!-- research:summary target="paper:[Lee 2022](papers/lee2022-nap.pdf)"`), doc.getText());

    fake.setReply((req): Reply => {
      const body = req.body as { format?: { properties?: object } };
      return JSON.stringify(Object.fromEntries(Object.keys(body.format?.properties ?? {}).map((k) => [k, { value: 'v', quote: 'q' }])));
    });
    cursorAt(editor, 'papers/smith2021', 3);
    await vscode.commands.executeCommand(Commands.compareLinkedPapers, { uri: doc.uri, columns: ['Aim'] });
    const text = doc.getText();
    assert.ok(text.includes(`${LIST}\n\n<!-- research:`), text);
    const table = /<!-- research:comparison[^\n]*-->\n([\s\S]*?)<!-- \/research:comparison -->/.exec(text)?.[1] ?? '';
    assert.match(table, /smith2021/);
    assert.doesNotMatch(table, /Methods glossary/, 'a linked note is not a row');
    // The list's items are still consecutive lines, and both blocks sit between the list and the next heading.
    const afterList = text.slice(text.indexOf(LIST) + LIST.length, text.indexOf('## Open questions'));
    assert.equal((afterList.match(/<!-- research:(summary|comparison) /g) ?? []).length, 2, afterList);
  });

  test('Ask with the cursor in the front matter goes at the end of the note; Summarize in a section at the end of that section', async () => {
    const { doc, editor } = await openNote('place-sections.md', NOTE);
    fake.setReply('The note does not say.');
    cursorAt(editor, 'bibliography');
    await vscode.commands.executeCommand(Commands.askAboutNote, { uri: doc.uri, question: 'What is missing?' });
    assert.match(doc.getText(), /### Background\n\n<!-- research:answer [^\n]*-->\n[\s\S]*<!-- \/research:answer -->\n$/);
    assert.ok(doc.getText().startsWith(NOTE.slice(0, NOTE.indexOf('### Background'))), 'nothing went between the title and the text');

    fake.setReply('- Naps and recall (p. 1)');
    cursorAt(editor, 'Do naps help');
    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri });
    assert.match(
      doc.getText(),
      /- Do naps help older adults\?\n\n<!-- research:summary target="note"[^\n]*-->\n[\s\S]*?<!-- \/research:summary -->\n\n## Draft outline/,
    );
  });
});

suite('input checks come before the server check', function () {
  this.timeout(60_000);

  suiteSetup(async () => {
    // Nothing listens on the discard port: every connection attempt fails.
    await config().update('endpoint', 'http://127.0.0.1:9', vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
  });

  test('with no server: an empty note says there is nothing to summarize; a missing paper is named; the server error is last', async () => {
    const empty = await openNote('empty.md', '');
    await vscode.commands.executeCommand(Commands.summarize, { uri: empty.doc.uri });
    const first = await lastError();
    assert.equal(first?.code, 'NoInput');
    assert.match(first?.message ?? '', /nothing to summarize/);

    const { doc } = await openNote('missing-paper.md', '# Missing\n\nSome text.\n\n- [[papers/not-there.pdf]]\n');
    await vscode.commands.executeCommand(Commands.summarizeLinkedPaper, { uri: doc.uri, link: '[[papers/not-there.pdf]]' });
    const second = await lastError();
    assert.equal(second?.code, 'SourceUnreadable');
    assert.match(second?.message ?? '', /papers\/not-there\.pdf \(linked on line 5\) was not found/);

    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri });
    assert.equal((await lastError())?.code, 'EndpointUnreachable', 'a readable note reaches the server check');
  });
});
