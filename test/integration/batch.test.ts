import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { startFakeServer, type FakeServer } from '../fakeServer';
import type { BatchSummary } from '../../src/core';
import { Commands } from '../../src/vscode/constants';
import { config, folder, lastUser, openNote, waitFor } from './helpers';

async function read(rel: string): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder().uri, rel)));
}

/** A one-page text paper of our own, the third of the folder. */
async function thirdPaper(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([612, 792]);
  for (let line = 0; line < 20; line++) {
    page.drawText(`Napping for ${10 + line} minutes raised recall by ${line + 3}% in ${30 + line} students.`, {
      x: 60,
      y: 720 - line * 18,
      size: 10,
      font,
    });
  }
  return doc.save();
}

suite('Read Papers in Folder', function () {
  this.timeout(180_000);
  let fake: FakeServer;
  let papers: vscode.Uri;

  suiteSetup(async () => {
    // Two slots and slow answers: the batch holds both slots for a while, so a command the user starts meanwhile shows
    // whether it has to wait behind the batch.
    fake = await startFakeServer({ flavour: 'llamacpp', ctx: 8192, slots: 2, tokensPerSecond: 60 });
    await config().update('endpoint', fake.url, vscode.ConfigurationTarget.Global);
    await config().update('model', '', vscode.ConfigurationTarget.Global);
    papers = vscode.Uri.joinPath(folder().uri, 'batch-in');
    for (const name of ['smith2021-sleep.pdf', 'lee2022-nap.pdf']) {
      await vscode.workspace.fs.copy(vscode.Uri.joinPath(folder().uri, 'papers', name), vscode.Uri.joinPath(papers, name), {
        overwrite: true,
      });
    }
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(papers, 'zz-nap-minutes.pdf'), await thirdPaper());
  });
  suiteTeardown(async () => {
    await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
    await fake.close();
    // Later suites (the library's among them) see the fixture's workspace, not this suite's papers and notes.
    for (const made of ['batch-in', 'Literature'])
      await vscode.workspace.fs
        .delete(vscode.Uri.joinPath(folder().uri, made), { recursive: true, useTrash: false })
        .then(undefined, () => undefined);
  });

  test('a folder of three papers: a note each and the matrix; a Summarize started meanwhile does not wait; a re-run asks nothing', async () => {
    const before = fake.chatRequests().length;
    const batch = vscode.commands.executeCommand<BatchSummary>(Commands.readPapersInFolder, {
      folder: papers,
      columns: ['Aim', 'Sample size'],
    });
    // Once the batch has both slots busy, the user summarises a note of their own.
    await waitFor(
      () =>
        fake
          .chatRequests()
          .slice(before)
          .filter((r) => r.endedAt === undefined).length >= 2,
      'the batch to fill both slots',
      60_000,
    );
    const { doc } = await openNote('batch-meanwhile.md', '# Meanwhile\n\nThe user writes about consolidation in 12 adults.\n');
    const started = Date.now();
    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri });
    const interactive = fake.chatRequests().find((r) => r.at >= started && lastUser(r).includes('The user writes about consolidation'));
    assert.ok(interactive?.startedAt !== undefined, 'the Summarize request was served');
    assert.ok(
      interactive.startedAt - interactive.at < 1000,
      `the Summarize request waited ${interactive.startedAt - interactive.at} ms for a slot`,
    );
    assert.match(doc.getText(), /<!-- research:summary /);

    const summary = await batch;
    assert.ok(summary, 'the scripted command returns its summary');
    assert.deepEqual([summary.read, summary.unchanged, summary.failures.length], [3, 0, 0], JSON.stringify(summary.failures));
    for (const name of ['smith2021-sleep', 'lee2022-nap', 'zz-nap-minutes']) {
      const note = await read(`Literature/${name}.md`);
      assert.match(note, /^---\n[\s\S]*source: batch-in\/[\s\S]*status: summarized\n---\n/);
      assert.ok(note.includes(`[${name}.pdf](<../batch-in/${name}.pdf>)`), note);
      assert.match(note, /<!-- research:summary target="paper:[\s\S]*<!-- \/research:summary -->\n$/);
    }
    const matrix = await read('Literature/Literature matrix.md');
    assert.equal(matrix.match(/^\| \[.+\.pdf\]\(<\.\.\/batch-in\//gm)?.length, 3, matrix);

    const asked = fake.chatRequests().length;
    const again = await vscode.commands.executeCommand<BatchSummary>(Commands.readPapersInFolder, {
      folder: papers,
      columns: ['Aim', 'Sample size'],
    });
    assert.deepEqual([again?.read, again?.unchanged], [0, 3]);
    assert.equal(fake.chatRequests().length, asked, 'nothing was asked again');
  });
});
