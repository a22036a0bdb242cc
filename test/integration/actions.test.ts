import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import MarkdownIt from 'markdown-it';
import { startFakeServer, type FakeServer, type RecordedRequest, type Reply } from '../fakeServer';
import { Commands } from '../../src/vscode/constants';
import { config, folder, lastUser, openNote, sleep, waitFor, writeFile } from './helpers';

/** The JSON schema's property names in a chat request (OpenAI response_format or Ollama format). */
function schemaKeys(req: RecordedRequest): string[] {
  const body = req.body as { response_format?: { json_schema?: { schema?: { properties?: object } } }; format?: { properties?: object } };
  return Object.keys(body.response_format?.json_schema?.schema?.properties ?? body.format?.properties ?? {});
}

const SUMMARY =
  '#### Background\n- Sleep supports memory (p. 1)\n#### Methods\n- 24 adults (p. 2)\n#### Findings\n- Recall improved by 12% (p. 3)\n#### Significance\n- Small sample (p. 4)';

suite('actions: insertion into the editor', function () {
  this.timeout(120_000);
  let fake: FakeServer;

  suiteSetup(async () => {
    fake = await startFakeServer({ flavour: 'ollama', trainedCtx: 4096, ctx: 4096, tokensPerSecond: 4000 });
    await config().update('endpoint', fake.url, vscode.ConfigurationTarget.Global);
    await config().update('model', '', vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    for (const key of ['endpoint', 'onCancel', 'outputLanguage', 'outputStyle', 'explainTermStyle'])
      await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    await fake.close();
  });
  setup(() => fake.setReply(SUMMARY));

  test('Summarize (scripted) inserts a marked block with provenance and resolves after insertion', async () => {
    const { doc } = await openNote(
      'sum-basic.md',
      '# Sleep\n\nSlow-wave sleep supports declarative memory consolidation in adults.\n\nEnd.\n',
    );
    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri });
    const text = doc.getText();
    // The cursor is on the title line of the freshly opened note: a note summary goes at the end of the note.
    assert.match(
      text,
      /^# Sleep\n\nSlow-wave sleep supports declarative memory consolidation in adults\.\n\nEnd\.\n\n<!-- research:summary target="note" sources="sum-basic\.md" model="[^"]+" date="\d{4}-\d{2}-\d{2}" figures="\d+\/\d+" -->\n> \[!summary\] Summary\n>\n> #### Background\n/,
    );
    assert.match(text, /> - Small sample \(p\. 4\)\n<!-- \/research:summary -->\n$/);
  });

  test('while streaming, typing 50 characters above and deleting a line below: output lands after the target; one undo restores exactly', async () => {
    const original = '# Title line\n\nFirst paragraph.\n\nTarget paragraph to summarize.\n\nLine below the target.\nLast line.\n';
    const { doc, editor } = await openNote('sum-stream.md', original);
    // The target paragraph selected: the summary goes right after it (a block never splits a paragraph).
    const targetLine = 4;
    editor.selection = new vscode.Selection(targetLine, 0, targetLine, 'Target paragraph to summarize.'.length);
    fake.setOption({ tokensPerSecond: 100 });
    fake.setReply({ chunks: Array.from({ length: 300 }, (_, i) => `word${i} `).concat(['\n- end (p. 1)']) });
    try {
      const run = vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri });
      await waitFor(() => doc.getText().includes('word3 '), 'streamed text in the document');
      // Like a user's keystroke, each edit of ours can lose the race with a streamed batch
      // ("Model has changed in the meantime"): retry it, as the user's typing would simply land next.
      for (let i = 0; i < 10; i += 1) {
        let typed = false;
        for (let attempt = 0; attempt < 50 && !typed; attempt += 1) {
          typed = await editor
            .edit((b) => b.insert(new vscode.Position(0, 2), 'x'.repeat(5)))
            .then(
              (ok) => ok,
              () => false,
            );
          if (!typed) await sleep(5);
        }
        assert.ok(typed, `typing batch ${i} could not be applied`);
        await sleep(15);
      }
      let deleted = false;
      for (let i = 0; i < 20 && !deleted; i += 1) {
        const below = doc.getText().indexOf('Line below the target.\n');
        assert.ok(below > 0);
        const we = new vscode.WorkspaceEdit();
        we.delete(doc.uri, new vscode.Range(doc.positionAt(below), doc.positionAt(below + 'Line below the target.\n'.length)));
        deleted = await vscode.workspace.applyEdit(we).then(
          (ok) => ok,
          () => false,
        );
      }
      assert.ok(deleted, 'the line below could not be deleted');
      assert.ok(doc.getText().includes('word') && !doc.getText().includes('- end (p. 1)'), 'the user edits happened while streaming');
      await run;
    } finally {
      fake.setOption({ tokensPerSecond: 4000 });
    }
    const userVersion = `# ${'x'.repeat(50)}Title line\n\nFirst paragraph.\n\nTarget paragraph to summarize.\n\nLast line.\n`;
    const text = doc.getText();
    const blockStart = text.indexOf('<!-- research:summary');
    assert.equal(text.slice(0, blockStart), `# ${'x'.repeat(50)}Title line\n\nFirst paragraph.\n\nTarget paragraph to summarize.\n\n`);
    assert.match(text, /word299 \n> - end \(p\. 1\)\n<!-- \/research:summary -->\n\nLast line\.\n$/);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), userVersion);
  });

  test('re-running Summarize replaces its own block and leaves user text untouched', async () => {
    const { doc } = await openNote(
      'sum-rerun.md',
      '# Note\n\nSome text about memory consolidation during sleep.\n\nUser paragraph after.\n',
    );
    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri });
    const first = doc.getText();
    // The user writes after the block; then a regenerated run replaces the block only.
    const we = new vscode.WorkspaceEdit();
    we.insert(doc.uri, doc.positionAt(first.length), 'Typed by the user.\n');
    await vscode.workspace.applyEdit(we);
    fake.setReply(SUMMARY.replace('12%', '13%'));
    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri, regenerate: true });
    const second = doc.getText();
    assert.equal((second.match(/<!-- research:summary /g) ?? []).length, 1);
    assert.ok(second.includes('13%') && !second.includes('12%'));
    assert.equal(
      second.replace(/<!-- research:summary[\s\S]*<!-- \/research:summary -->\n/, ''),
      first.replace(/<!-- research:summary[\s\S]*<!-- \/research:summary -->\n/, '') + 'Typed by the user.\n',
    );
  });

  test('a second run on the same document while one runs is refused (one request, one block)', async () => {
    const { doc } = await openNote('sum-twice.md', '# Twice\n\nA note about naps and recall in students.\n');
    fake.setReply({ text: SUMMARY, delayMs: 800 });
    const before = fake.chatRequests().length;
    const a = vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri, regenerate: true });
    await sleep(100);
    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri, regenerate: true });
    await a;
    assert.equal(fake.chatRequests().length - before, 1);
    assert.equal((doc.getText().match(/<!-- research:summary /g) ?? []).length, 1);
  });

  test('a stream that breaks mid-way: onCancel=remove leaves the note as before; keep marks it incomplete', async () => {
    const original = '# Broken\n\nA paragraph about sleep spindles and memory.\n';
    const { doc } = await openNote('sum-cancel.md', original);
    fake.setReply({ chunks: ['#### Background\n', '- partial point (p. 1)\n', 'a', 'b', 'c', 'd', 'e', 'f'], fault: 'drop' });
    fake.setOption({ tokensPerSecond: 50 });
    await config().update('onCancel', 'remove', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri, regenerate: true });
    assert.equal(doc.getText(), original);
    await config().update('onCancel', 'keep', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri, regenerate: true });
    assert.match(doc.getText(), /incomplete="true" -->\n> \[!summary\] Summary \(incomplete\)\n>\n> #### Background\n> - partial point/);
    await config().update('onCancel', undefined, vscode.ConfigurationTarget.Global);
    fake.setOption({ tokensPerSecond: 4000 });
  });

  test('zh-CN output uses the Chinese headings; re-running unchanged input makes no request', async () => {
    await config().update('outputLanguage', 'zh-CN', vscode.ConfigurationTarget.Global);
    try {
      const { doc } = await openNote('sum-zh.md', '# 睡眠\n\n慢波睡眠促进陈述性记忆的巩固，样本为 24 名成人。\n');
      fake.setReply('#### 背景\n- 睡眠 (p. 1)');
      const before = fake.chatRequests().length;
      await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri });
      assert.equal(fake.chatRequests().length - before, 1);
      const prompt = lastUser(fake.chatRequests().at(-1) as RecordedRequest);
      assert.match(prompt, /#### 背景\n#### 方法\n#### 发现\n#### 意义/);
      assert.match(doc.getText(), /> \[!summary\] 摘要/);
      const started = Date.now();
      await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri });
      assert.equal(fake.chatRequests().length - before, 1, 'the re-run asked the server again');
      assert.ok(Date.now() - started < 2000);
    } finally {
      await config().update('outputLanguage', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Compare Linked Papers: one paper with malformed JSON still yields a valid table with one error cell; linked notes are not rows', async () => {
    await writeFile('papers/c-paper.md', '# Paper C\n\n## Methods\n\nWe followed 100 older adults for two years and measured recall.\n');
    // Two PDFs of the fixture and a linked markdown note, which is context and not a row.
    const { doc } = await openNote(
      'compare.md',
      '# Compare\n\n- [[papers/smith2021-sleep.pdf]]\n- [Lee 2022](papers/lee2022-nap.pdf)\n- [[papers/c-paper.md]]\n\nEnd.\n',
    );
    fake.setReply((req): Reply => {
      const keys = schemaKeys(req);
      // Every request about Lee's paper (the repair retry included) gets broken JSON.
      if (JSON.stringify(req.body).includes('face-name')) return '{"aim": {"value": "broken", "quote": ';
      return JSON.stringify(
        Object.fromEntries(keys.map((k) => [k, { value: `${k} | value`, quote: 'a supporting quote', locator: 'p. 1' }])),
      );
    });
    await vscode.commands.executeCommand(Commands.compareLinkedPapers, { uri: doc.uri, columns: ['Aim', 'Sample size'] });
    const text = doc.getText();
    const block = /<!-- research:comparison[^\n]*-->\n([\s\S]*?)<!-- \/research:comparison -->/.exec(text);
    assert.ok(block, text);
    const tokens = new MarkdownIt().parse(block[1] ?? '', {});
    assert.equal(tokens.filter((t) => t.type === 'tr_open').length, 3, block[1]);
    assert.ok(!(block[1] ?? '').includes('c-paper'), 'a linked note is not a row');
    const cells = tokens.filter((t, i) => t.type === 'inline' && tokens[i - 1]?.type === 'td_open').map((t) => t.content);
    assert.equal(cells.length, 6);
    assert.equal(cells.filter((c) => /extraction failed/.test(c)).length, 1, cells.join(' || '));
    assert.ok(
      cells.some((c) => c.includes('aim | value')) && (block[1] ?? '').includes('aim \\| value'),
      'pipes escaped in the source, one cell when parsed',
    );
  });

  test('a paper 4× larger than the 4096-token context is summarised through map-reduce, never truncated; a failed run resumes', async () => {
    const sections = Array.from(
      { length: 8 },
      (_, i) =>
        `## Section ${i + 1}\n\n${Array.from({ length: 70 }, (_, k) => `Finding ${i + 1}.${k + 1} shows that recall changed by ${(i * 13 + k) % 90} percent in the sample.`).join(' ')}\n`,
    );
    await writeFile('papers/big.md', `# Big paper\n\n${sections.join('\n')}`);
    const { doc } = await openNote('big-note.md', '# Big\n\nSee [[papers/big.md]] for details.\n');
    let served = 0;
    fake.setReply((): Reply => {
      served += 1;
      return served === 3 ? { fault: 'http500' } : 'Notes: recall changed (p. 1)';
    });
    const before = fake.chatRequests().length;
    await vscode.commands.executeCommand(Commands.summarizeLinkedPaper, { uri: doc.uri, link: '[[papers/big.md]]' });
    const firstRun = fake.chatRequests().slice(before);
    assert.ok(!doc.getText().includes('research:summary'), 'the failed run inserted nothing');
    const okFirst = firstRun.filter((r) => r.status === 200).map(lastUser);
    fake.setReply(SUMMARY);
    const mid = fake.chatRequests().length;
    await vscode.commands.executeCommand(Commands.summarizeLinkedPaper, { uri: doc.uri, link: '[[papers/big.md]]' });
    const secondRun = fake.chatRequests().slice(mid);
    assert.ok(secondRun.length >= 3, `second run requests: ${secondRun.length}`);
    for (const r of secondRun) assert.ok(!okFirst.includes(lastUser(r)), 'a finished part was requested again');
    for (const r of [...firstRun, ...secondRun]) assert.equal(r.originalPromptTokens, undefined, 'the server truncated a prompt');
    const mapped = [...firstRun, ...secondRun].map(lastUser).join('\n');
    for (let i = 1; i <= 8; i += 1) assert.ok(mapped.includes(`Finding ${i}.70 shows`), `section ${i} was not sent in full`);
    assert.match(doc.getText(), /<!-- research:summary target="paper:\[\[papers\/big\.md\]\]" sources="papers\/big\.md"/);
  });

  test('Explain Term inserts a footnote at the term and its definition at the end; Ask and Draft insert cited blocks', async () => {
    const { doc } = await openNote(
      'explain.md',
      '# Terms\n\nSlow-wave sleep helps memory. See [[papers/c-paper.md]].\n\n## Outline\n\n- why sleep matters\n',
    );
    fake.setReply('Deep, synchronised sleep (general); the note links it to memory (p. 1).');
    await vscode.commands.executeCommand(Commands.explainTerm, { uri: doc.uri, term: 'Slow-wave sleep' });
    assert.match(doc.getText(), /^# Terms\n\nSlow-wave sleep\[\^slow-wave-sleep\] helps memory\./m);
    assert.match(
      doc.getText(),
      /\n\n\[\^slow-wave-sleep\]: Deep, synchronised sleep \(general\); the note links it to memory \(p\. 1\)\.\n$/,
    );
    fake.setReply('The sources do not contain the answer.');
    await vscode.commands.executeCommand(Commands.askAboutNote, { uri: doc.uri, question: 'What was the sample size?' });
    assert.match(
      doc.getText(),
      /<!-- research:answer target="question:[a-z0-9]+" sources="explain\.md; papers\/c-paper\.md"[^\n]*-->\n> \[!question\] Answer: What was the sample size\?\n>\n> The sources do not contain the answer\./,
    );
    assert.match(lastUser(fake.chatRequests().at(-1) as RecordedRequest), /cite as \[\[papers\/c-paper\.md\]\]/);
    const text = doc.getText();
    const at = text.indexOf('- why sleep matters');
    fake.setReply('Sleep matters [[papers/c-paper.md]].');
    await vscode.commands.executeCommand(Commands.draftSection, {
      uri: doc.uri,
      selection: { start: at, end: at + '- why sleep matters'.length },
    });
    assert.match(
      doc.getText(),
      /- why sleep matters\n\n<!-- research:draft [^\n]*-->\n> \[!note\] Draft\n>\n> Sleep matters \[\[papers\/c-paper\.md\]\]\./,
    );
  });

  test('Run Prompt… runs a template by id; Open Prompt Templates copies a built-in into the prompts folder', async () => {
    const { doc } = await openNote('run.md', '# Run\n\nNaps of 60 minutes improved recall in students.\n');
    fake.setReply('Answer from a template.');
    await vscode.commands.executeCommand(Commands.runPrompt, { uri: doc.uri, promptId: 'ask', question: 'Do naps help?' });
    assert.match(
      doc.getText(),
      /<!-- research:prompt target="prompt:ask:[^"]+"[^\n]*-->\n> \[!note\] Answer a question from the note\n>\n> Answer from a template\./,
    );
    const copied = await vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.openPromptTemplates, { promptId: 'summarize' });
    assert.ok(copied);
    assert.equal(vscode.workspace.asRelativePath(copied), '.research/prompts/summarize.md');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(copied));
    assert.match(text, /^---\nid: summarize\n/);
  });

  test('Explain Term as a callout goes below the paragraph; CodeLens shows Summarize · Compare on paper-link lines only', async () => {
    await config().update('explainTermStyle', 'callout', vscode.ConfigurationTarget.Global);
    try {
      const { doc } = await openNote(
        'lens.md',
        '# Lens\n\nSpindles matter here.\nSecond line of the paragraph.\n\n- [[papers/c-paper.md]]\n',
      );
      fake.setReply('Short bursts of brain activity during sleep (general).');
      await vscode.commands.executeCommand(Commands.explainTerm, { uri: doc.uri, term: 'Spindles' });
      assert.match(
        doc.getText(),
        /Second line of the paragraph\.\n\n<!-- research:explanation target="term:spindles"[^\n]*-->\n> \[!info\] Explanation: Spindles\n>\n> Short bursts/,
      );
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      const ours = lenses.filter(
        (l) => l.command?.command === Commands.summarizeLinkedPaper || l.command?.command === Commands.compareLinkedPapers,
      );
      assert.deepEqual(
        ours.map((l) => [l.range.start.line, l.command?.title]),
        [
          [doc.lineAt(doc.lineCount - 2).lineNumber, 'Summarize'],
          [doc.lineAt(doc.lineCount - 2).lineNumber, 'Compare'],
        ],
      );
      await config().update('codeLens', false, vscode.ConfigurationTarget.Global);
      const none = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      assert.equal(none.filter((l) => l.command?.command === Commands.summarizeLinkedPaper).length, 0);
    } finally {
      await config().update('explainTermStyle', undefined, vscode.ConfigurationTarget.Global);
      await config().update('codeLens', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Summarize Linked Paper on a PDF link of the fixture note: the block goes after the list holding the link, citing the PDF', async () => {
    const uri = vscode.Uri.joinPath(folder().uri, 'notes.md');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    fake.setReply(SUMMARY);
    const before = fake.chatRequests().length;
    await vscode.commands.executeCommand(Commands.summarizeLinkedPaper, { uri, link: '[[papers/smith2021-sleep.pdf]]' });
    assert.equal(fake.chatRequests().length - before, 1);
    assert.match(
      lastUser(fake.chatRequests().at(-1) as RecordedRequest),
      /^<source id="papers\/smith2021-sleep\.pdf[^"]*" title="[^"]+">\n\[p\. 1/,
    );
    assert.match(
      doc.getText(),
      /- Smith & Chen ran a sleep-deprivation study: \[\[papers\/smith2021-sleep\.pdf\]\]\n- Lee et al\. tested a nap intervention: \[Lee 2022\]\(papers\/lee2022-nap\.pdf\)\n- Background reading: \[\[Background\]\]\n- Review cited as \[@smith2021\]\.\n\n<!-- research:summary target="paper:\[\[papers\/smith2021-sleep\.pdf\]\]" sources="papers\/smith2021-sleep\.pdf"/,
    );
  });
});
