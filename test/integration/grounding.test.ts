import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeServer, type FakeServer, type RecordedRequest, type Reply } from '../fakeServer';
import { Commands } from '../../src/vscode/constants';
import { config, openNote, sleep, waitFor } from './helpers';

/** The JSON schema's property names in a chat request (OpenAI response_format or Ollama format). */
function schemaKeys(req: RecordedRequest): string[] {
  const body = req.body as { response_format?: { json_schema?: { schema?: { properties?: object } } }; format?: { properties?: object } };
  return Object.keys(body.response_format?.json_schema?.schema?.properties ?? body.format?.properties ?? {});
}

const research = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Research');

/** Waits until the Research diagnostics of `uri` have settled to `count` (debounced background checks). */
async function diagnosticsSettle(uri: vscode.Uri, count: number): Promise<vscode.Diagnostic[]> {
  await waitFor(() => (research(uri).length === count ? true : undefined), `${count} Research diagnostic(s), have ${research(uri).length}`);
  await sleep(700);
  const now = research(uri);
  assert.equal(now.length, count, `diagnostics changed after settling: ${now.map((d) => d.message).join(' | ')}`);
  return now;
}

// Every figure but one (78%) is in smith2021-sleep.pdf (test/fixtures/workspace.pdfs.json).
const PAPER_SUMMARY = [
  '#### Findings',
  '- The sleep group retained 87% of word pairs, the wake group 71% (p. 3).',
  '- Difference 16 percentage points (95% CI 9–23; p < 0.001); n = 24 per group.',
  '- Retention correlated with slow-wave sleep (r = 0.52); 60 word pairs, retest after 36 hours.',
  '- Reaction times improved by 78% after sleep (p. 3).',
  '- The authors note that “The sample was small and consisted of students” (p. 4).',
].join('\n');

suite('grounding: diagnostics in the editor', function () {
  this.timeout(180_000);
  let fake: FakeServer;

  suiteSetup(async () => {
    fake = await startFakeServer({ flavour: 'ollama', trainedCtx: 8192, ctx: 8192, tokensPerSecond: 4000 });
    await config().update('endpoint', fake.url, vscode.ConfigurationTarget.Global);
    await config().update('model', '', vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
    await fake.close();
  });

  // `regenerate: true` everywhere: other suites summarise the same fixture paper, and a cached answer is not this test's reply.
  test('a linked-paper summary with one invented percentage shows exactly one Warning, at it, with a quick fix', async () => {
    fake.setReply(PAPER_SUMMARY);
    const { doc } = await openNote('ground-paper.md', '# Sleep paper\n\nSee [[papers/smith2021-sleep.pdf]] for details.\n');
    // A failing command waits on its error notification: fail fast with the reason instead of hanging.
    await Promise.race([
      vscode.commands.executeCommand(Commands.summarizeLinkedPaper, {
        uri: doc.uri,
        link: '[[papers/smith2021-sleep.pdf]]',
        regenerate: true,
      }),
      sleep(60_000).then(() => {
        throw new Error('Summarize Linked Paper did not finish in 60 s (is the PDF readable? see the log channel)');
      }),
    ]);
    assert.match(doc.getText(), /<!-- research:summary [^>]*sources="[^"]*smith2021-sleep\.pdf"/u);
    const [diagnostic] = await diagnosticsSettle(doc.uri, 1);
    assert.ok(diagnostic);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(doc.getText(diagnostic.range), '78%');
    // The message says what was searched and what to do; the page is in the message, the related entry and the quick fix.
    assert.match(
      diagnostic.message,
      /^78% not found in the cited sources \(checked: smith2021-sleep\.pdf; nearest: 71% in [^)]+, p\. 3\)\. Check the figure or remove it\.$/u,
    );
    // Problems lists the related entry on the note's text, not at "line 1" of the PDF.
    const related = diagnostic.relatedInformation?.[0];
    assert.ok(related, 'related information');
    assert.equal(related.location.uri.toString(), doc.uri.toString());
    assert.equal(doc.getText(related.location.range), '78%');
    assert.match(related.message, /^Nearest match in [^:]+, p\. 3: “.*71%.*”$/u);
    // The quick fix offers the nearest match (71% on page 3 of the paper); for a PDF it shows the passage, so it is not run here.
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const open = actions.find((a) => /^Open nearest match in .+, p\. 3$/u.test(a.title));
    assert.ok(open, `quick fix missing; got ${actions.map((a) => a.title).join(', ')}`);

    // Research: Check Grounding records the count in the block header.
    const report = await vscode.commands.executeCommand<{
      blocks: { checked: number; supported: number }[];
      unsupported: number;
      summary: string;
    }>(Commands.checkGrounding, { uri: doc.uri, all: true });
    assert.equal(report.unsupported, 1);
    const total = report.blocks[0]!.checked;
    assert.ok(total >= 10, `checked ${total}`);
    assert.equal(report.summary, `${total} figures checked: ${total - 1} found in the sources, 1 not found.`);
    await waitFor(() => (doc.getText().includes(`figures="${total - 1}/${total}"`) ? true : undefined), 'figures header');

    // The user corrects the figure: the diagnostic goes away once the block changes.
    const at = doc.getText().indexOf('78%');
    const fix = new vscode.WorkspaceEdit();
    fix.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + 3)), '87%');
    assert.ok(await vscode.workspace.applyEdit(fix));
    await diagnosticsSettle(doc.uri, 0);

    // A new invented figure appears: flagged again; removing the whole block clears it.
    const again = new vscode.WorkspaceEdit();
    const end = doc.getText().indexOf('<!-- /research:summary -->');
    again.insert(doc.uri, doc.positionAt(end), '- Mortality fell by 33.3%.\n');
    assert.ok(await vscode.workspace.applyEdit(again));
    const [second] = await diagnosticsSettle(doc.uri, 1);
    assert.equal(doc.getText(second!.range), '33.3%');
    const text = doc.getText();
    const start = text.indexOf('<!-- research:summary');
    const stop = text.indexOf('<!-- /research:summary -->') + '<!-- /research:summary -->\n'.length;
    const remove = new vscode.WorkspaceEdit();
    remove.delete(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(stop)));
    assert.ok(await vscode.workspace.applyEdit(remove));
    await diagnosticsSettle(doc.uri, 0);
  });

  test('a note summary is checked against the note without the block itself', async () => {
    fake.setReply('- The trial enrolled 1,248 adults, 72% responded (p. 1).\n- Adherence was 64%.');
    const { doc } = await openNote('ground-note.md', '# Trial\n\nWe enrolled 1248 adults. The response rate was 72 % at one year.\n');
    await vscode.commands.executeCommand(Commands.summarize, { uri: doc.uri, regenerate: true });
    const [diagnostic] = await diagnosticsSettle(doc.uri, 1);
    assert.equal(doc.getText(diagnostic!.range), '64%');
    assert.match(diagnostic!.message, /^64% not found in the cited sources \(checked: ground-note\.md; nearest: 72 %/u);
    // Quick fix: the nearest figure is in the note itself, outside the block; it opens there, selected.
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      diagnostic!.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const open = actions.find((a) => a.title === 'Open nearest match in ground-note.md');
    assert.ok(open?.command, `quick fix missing; got ${actions.map((a) => a.title).join(', ')}`);
    await vscode.commands.executeCommand(open.command.command, ...(open.command.arguments ?? []));
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), doc.uri.toString());
    assert.equal(editor?.document.getText(editor.selection), '72 %');
  });

  test('comparison table: a value not in its quote and a quote not in its paper get ⚠ in the cell and a Warning each', async () => {
    // The rows are the fixture's two PDFs (a linked note is not a row of a comparison).
    const { doc } = await openNote(
      'ground-compare.md',
      '# Compare\n\n- [[papers/smith2021-sleep.pdf]]\n- [Lee 2022](papers/lee2022-nap.pdf)\n\nEnd.\n',
    );
    fake.setReply((req): Reply => {
      const [size = 'sample_size', result = 'main_result'] = schemaKeys(req);
      const lee = JSON.stringify(req.body).includes('face-name');
      // Main results: genuine. Lee's sample size: the value (84) is not in its quote. Smith's: the quote is not in the paper.
      return JSON.stringify(
        lee
          ? {
              [size]: { value: '84', quote: 'Thirty-two adults either napped', locator: 'p. 1' },
              [result]: { value: '78%', quote: 'Accuracy was 78% after the nap', locator: 'p. 1' },
            }
          : {
              [size]: { value: '200', quote: 'We followed 200 older adults for two years', locator: 'p. 1' },
              [result]: { value: '87%', quote: 'The sleep group retained 87% of word pairs', locator: 'p. 1' },
            },
      );
    });
    await Promise.race([
      vscode.commands.executeCommand(Commands.compareLinkedPapers, {
        uri: doc.uri,
        columns: ['Sample size', 'Main result'],
        regenerate: true,
      }),
      sleep(60_000).then(() => {
        throw new Error('Compare Linked Papers did not finish in 60 s');
      }),
    ]);
    const text = doc.getText();
    assert.match(text, /\| ⚠ 84\[\^/u, text);
    assert.match(text, /\| ⚠ 200\[\^/u, text);
    assert.doesNotMatch(text, /⚠ (78|87)%/u, text);
    const diagnostics = await diagnosticsSettle(doc.uri, 2);
    const byText = new Map(diagnostics.map((d) => [doc.getText(d.range), d.message]));
    const seen = [...byText].map(([k, v]) => `${k} → ${v}`).join(' | ');
    assert.match(
      byText.get('84') ?? seen,
      /^84 does not appear in the quote given as this cell's evidence\. Check the value against the paper or remove it\.$/u,
    );
    assert.match(
      byText.get('200') ?? seen,
      /^This cell's quote was not found in the cited sources \(checked: [^)]*\.pdf[^)]*\)\. Check the value or remove it\.$/u,
    );
  });
});
