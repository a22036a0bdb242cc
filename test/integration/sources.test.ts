import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Source } from '../../src/core';
import { Commands, EXTENSION_ID } from '../../src/vscode/constants';
import type { PreviewContextResult } from '../../src/vscode/commands/previewContext';
import { headerFooterPdf } from '../fixtures/pdf-gen/generate';
import { folder } from './helpers';
import { VsCodeFileReader } from '../../src/vscode/adapters/vscodeFiles';

async function preview(path: string): Promise<PreviewContextResult> {
  const uri = vscode.Uri.joinPath(folder().uri, path);
  const result = await vscode.commands.executeCommand<PreviewContextResult | undefined>(Commands.previewContext, { uri, pick: false });
  assert.ok(result, 'previewContext returns the list when called with pick: false');
  return result;
}

function row(s: Source): string {
  return `${s.id} ${s.status}`;
}

suite('sources: Research: Preview Context in the extension host', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  test('lists the note and its linked PDFs, notes and citekeys with token estimates', async () => {
    const result = await preview('notes.md');
    assert.equal(result.note.status, 'ok');
    assert.ok(result.note.tokenEstimate > 20);
    // [@smith2021] resolves to the same PDF as the wikilink, so it is listed once.
    assert.deepEqual(result.sources.map(row), ['papers/smith2021-sleep.pdf ok', 'papers/lee2022-nap.pdf ok', 'Background.md ok']);
    const smith = result.sources[0];
    assert.equal(smith?.kind, 'pdf');
    assert.match(smith?.text ?? '', /\[page 1\]/);
    assert.match(smith?.text ?? '', /87% of word pairs/);
    assert.ok((smith?.sections.length ?? 0) >= 3, 'PDF sections detected');
    assert.equal(smith?.contentHash?.length, 64);
    const sum = result.note.tokenEstimate + result.sources.reduce((n, s) => n + s.tokenEstimate, 0);
    assert.equal(result.totalTokens, sum);
    assert.equal(result.untrusted, false);
  });

  test('stat of a workspace file: size and mtime as workspace.fs reports them, and the change time', async () => {
    const reader = new VsCodeFileReader();
    const signal = new AbortController().signal;
    const uri = vscode.Uri.joinPath(folder().uri, 'notes.md');
    const stamp = await reader.stat(uri.toString(), signal);
    const fsStat = await vscode.workspace.fs.stat(uri);
    assert.equal(stamp?.size, fsStat.size);
    assert.equal(stamp?.mtime, fsStat.mtime, 'the same mtime as before node:fs was used, so stored stamps still match');
    // A later session trusts a stored content hash only with an unchanged change time (ExtractionCache.storedHashFor).
    assert.ok((stamp?.ctime ?? 0) > 0, JSON.stringify(stamp));
    assert.equal(await reader.stat(vscode.Uri.joinPath(folder().uri, 'no-such-note.md').toString(), signal), undefined);
    assert.equal(await reader.stat(folder().uri.toString(), signal), undefined, 'a folder is not a file');
  });

  test('anchors, citekeys and every kind of broken link are reported, not fatal', async () => {
    const result = await preview('sources/links.md');
    const rows = result.sources.map(row);
    assert.deepEqual(rows, [
      'papers/smith2021-sleep.pdf#page=2 ok',
      'papers/lee2022-nap.pdf ok',
      'Background.md#Background ok',
      'No Such Note missing',
      '/etc/hostname.md outsideWorkspace',
      'sources/links.md cycle',
      'sources/table.csv unsupported',
    ]);
    const page2 = result.sources[0];
    assert.match(page2?.text ?? '', /^\[page 2\]/);
    assert.doesNotMatch(page2?.text ?? '', /\[page 1\]/);
    assert.equal(result.sources[1]?.link?.citekey, 'lee2022');
    assert.equal(result.sources[1]?.title, 'A daytime nap restores memory encoding capacity');
    for (const s of result.sources.filter((x) => x.status !== 'ok')) assert.ok(s.statusDetail, `${s.id} says why`);
  });

  test('a long PDF generated at test time is read on worker threads, headers and footers removed', async () => {
    const dir = vscode.Uri.joinPath(folder().uri, 'sources/generated');
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'long.pdf'), await headerFooterPdf(24));
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(dir, 'long-note.md'),
      new TextEncoder().encode('# Long\n\nSee [[long.pdf]].\n'),
    );
    const result = await preview('sources/generated/long-note.md');
    const pdf = result.sources[0];
    assert.equal(pdf?.id, 'sources/generated/long.pdf');
    assert.equal(pdf?.status, 'ok', pdf?.statusDetail);
    for (const p of [1, 12, 13, 24]) assert.match(pdf?.text ?? '', new RegExp(`\\[page ${p}\\]\\n\\nBody text of page ${p} `));
    assert.doesNotMatch(pdf?.text ?? '', /Journal of Reproducible Tests|Page \d+ of 24/);
  });

  test('opens a document with exactly the messages Ask About Note sends, the note without its generated blocks', async () => {
    const rel = 'sources/preview-blocks.md';
    const table = Array.from({ length: 30 }, (_, i) => `| row ${i} | generated comparison cell ${i} |`).join('\n');
    const note = [
      '# Preview',
      '',
      'See [[Background]].',
      '',
      '<!-- research:comparison target="links" sources="Background.md" model="m" date="2026-01-01" -->',
      '| Paper | Finding |',
      '| --- | --- |',
      table,
      '<!-- /research:comparison -->',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder().uri, rel), new TextEncoder().encode(note));
    const uri = vscode.Uri.joinPath(folder().uri, rel);
    const result = await vscode.commands.executeCommand<PreviewContextResult | undefined>(Commands.previewContext, {
      uri,
      pick: false,
      open: true,
      usableContext: 8192,
    });
    assert.ok(result?.document, 'a preview document was opened');
    assert.equal(vscode.window.activeTextEditor?.document, result.document);
    const shown = result.document.getText();
    assert.equal(shown, result.text);
    assert.match(shown, /^# Context preview: sources\/preview-blocks\.md/u);
    assert.match(shown, new RegExp(`\\*\\*${result.preview.totalTokens.toLocaleString('en-US')} tokens\\*\\* of 8,192 usable`, 'u'));
    for (const m of result.preview.messages) assert.ok(shown.includes(m.content), `the ${m.role} message is shown verbatim`);
    assert.match(shown, /<source id="Background\.md"/u);
    // The generated table is not sent, so it is neither shown nor counted.
    assert.doesNotMatch(shown, /generated comparison cell/u);
    const notePart = result.preview.parts.find((p) => p.sourceId === rel);
    assert.ok(notePart && notePart.tokens < result.note.tokenEstimate, 'the note is counted without its blocks');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('OK in the quick pick opens the preview; each row has one checkbox and no tick of its own', async () => {
    const uri = vscode.Uri.joinPath(folder().uri, 'notes.md');
    const running = vscode.commands.executeCommand<PreviewContextResult | undefined>(Commands.previewContext, { uri });
    // The quick pick appears once the sources are read; accepting keeps the ticked ones.
    let result: PreviewContextResult | undefined;
    void running.then((r) => (result = r));
    for (let i = 0; i < 100 && !result; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    result ??= await running;
    assert.ok(result?.document, 'the preview document opened after OK');
    assert.equal(vscode.window.activeTextEditor?.document, result.document);
    assert.match(result.document.getText(), /^# Context preview: notes\.md/u);
    assert.ok(result.rows && result.rows.length >= 4, String(result.rows));
    for (const row of result.rows) assert.doesNotMatch(row, /\$\(check\)|✓|✔/u, row);
    // A read-only virtual document: typing in it is refused, and closing it never asks to save an untitled copy.
    assert.equal(result.document.uri.scheme, 'research-assistant');
    assert.equal(result.document.isUntitled, false);
    const before = result.document.getText();
    await vscode.commands.executeCommand('type', { text: 'typed ' });
    assert.equal(result.document.getText(), before, 'the preview editor accepted typing');
    assert.equal(result.document.isDirty, false);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('the cache makes a second preview fast, and Clear Cache empties it', async () => {
    await preview('notes.md');
    const started = Date.now();
    await preview('notes.md');
    const cachedMs = Date.now() - started;
    assert.ok(cachedMs < 2000, `cached preview took ${cachedMs} ms`);
    const cleared = await vscode.commands.executeCommand<{ cleared: boolean }>(Commands.clearCache, { quiet: true });
    assert.equal(cleared?.cleared, true);
    const again = await preview('notes.md');
    assert.equal(again.sources[0]?.status, 'ok');
  });
});
