import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, suite, test } from 'node:test';
import { startFakeServer, type FakeServer } from '../fakeServer/index';
import type { Flavour } from '../fakeServer/types';
import { sectionsPdf } from '../fixtures/pdf-gen/generate';
import { CLI, NOTE, ROOT, Sandbox } from './helpers';

const FLAVOURS: readonly Flavour[] = ['ollama', 'lmstudio', 'vllm', 'llamacpp'];

/** Parses stdout as exactly one JSON document (anything else on stdout fails the parse). */
function json(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>;
}

for (const flavour of FLAVOURS) {
  suite(`research-assistant against a fake ${flavour} server`, () => {
    let fake: FakeServer;
    let box: Sandbox;
    before(async () => {
      fake = await startFakeServer({ flavour, ctx: 32768 });
      box = new Sandbox({
        'notes/review.md': NOTE,
        'notes/papers/genes.pdf': await sectionsPdf(),
        'notes/papers/followup.pdf': await sectionsPdf(),
      });
    });
    after(async () => {
      await fake.close();
      box.dispose();
    });

    test('status --json: one JSON document on stdout with the server, model and context', async () => {
      const r = await box.run(['status', '--json', '--endpoint', fake.url]);
      assert.equal(r.code, 0, r.stderr);
      const status = json(r.stdout);
      assert.deepEqual(Object.keys(status).slice(0, 7), [
        'server',
        'model',
        'contextLength',
        'contextSource',
        'parallelSlots',
        'embeddingModel',
        'library',
      ]);
      const server = status.server as Record<string, unknown>;
      assert.equal(server.kind, flavour);
      assert.equal(server.baseUrl, fake.url);
      // LM Studio's API does not report its version.
      assert.ok(typeof server.version === 'string' || (flavour === 'lmstudio' && server.version === null), String(server.version));
      assert.equal(typeof status.model, 'string');
      assert.ok((status.contextLength as number) > 0);
      assert.ok((status.parallelSlots as number) >= 1);
    });

    test('summarize a linked paper: the block on stdout, progress and warnings on stderr', async () => {
      const r = await box.run(['summarize', 'notes/review.md', '--link', 'papers/genes.pdf', '--endpoint', fake.url]);
      assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
      assert.match(r.stdout, /^<!-- research:summary target="paper:\[\[papers\/genes\.pdf\]\]" sources="notes\/papers\/genes\.pdf"/);
      assert.match(r.stdout, /<!-- \/research:summary -->\n$/);
      assert.doesNotMatch(r.stdout, /receiving|request\(s\)|warning/);
      assert.match(r.stderr, /request\(s\)/);
      assert.doesNotMatch(r.stderr, /research:summary/);
      assert.ok(fake.chatRequests().length >= 1);
    });

    test('compare --json: the table block, its sources, and the missing paper named in warnings (exit code unchanged)', async () => {
      const r = await box.run(['compare', 'notes/review.md', '--columns', 'Aim,Sample size', '--json', '--endpoint', fake.url]);
      assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
      const out = json(r.stdout);
      assert.match(out.block as string, /research:comparison/);
      assert.match(out.block as string, /\| Aim +\| Sample size +\|/);
      const sources = out.sources as { id: string; status: string }[];
      assert.deepEqual(sources.find((s) => s.id.endsWith('missing.pdf'))?.status, 'missing');
      assert.ok((out.warnings as string[]).some((w) => w.includes('missing.pdf')));
      assert.match(r.stderr, /warning: skipped \[\[papers\/missing\.pdf\]\] \(missing\)/);
      assert.equal(typeof (out.figures as { checked: number }).checked, 'number');
    });
  });
}

suite('research-assistant: exit codes and messages', () => {
  let fake: FakeServer;
  let box: Sandbox;
  before(async () => {
    fake = await startFakeServer({ flavour: 'ollama', ctx: 32768 });
    box = new Sandbox({ 'review.md': NOTE, 'papers/genes.pdf': await sectionsPdf(), 'papers/followup.pdf': await sectionsPdf() });
  });
  after(async () => {
    await fake.close();
    box.dispose();
  });

  test('no model server: exit 3, one line naming what was probed and the next step, nothing on stdout', async () => {
    const closed = await startFakeServer({ flavour: 'ollama' });
    const url = closed.url;
    await closed.close();
    const r = await box.run(['summarize', 'review.md', '--endpoint', url]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.match(
      lines.at(-1) ?? '',
      new RegExp(`^research-assistant: no model server answered at ${url.replace(/[.]/g, '\\.')}.*ollama serve.*--endpoint`),
    );
  });

  test('a missing note: exit 4 naming the file, before any request', async () => {
    const before = fake.requests.length;
    const r = await box.run(['ask', 'nope.md', 'Why?', '--endpoint', fake.url]);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /nope\.md does not exist/);
    assert.equal(r.stdout, '');
    assert.equal(fake.requests.length, before);
  });

  test('usage errors exit 2: a bad flag, a command of a later version, a settings file that is not JSON', async () => {
    const bad = await box.run(['summarize', 'review.md', '--lang', 'fr']);
    assert.equal(bad.code, 2);
    const later = await box.run(['references', 'review.md']);
    assert.equal(later.code, 2);
    assert.match(later.stderr, /not available yet/);
    const broken = new Sandbox({ 'review.md': NOTE, '.vscode/settings.json': '{ "researchAssistant.temperature": 0.2,, }' });
    try {
      const r = await broken.run(['summarize', 'review.md', '--endpoint', fake.url]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /\.vscode\/settings\.json is not valid JSON at line 1, column \d+/);
      assert.equal(r.stdout, '');
    } finally {
      broken.dispose();
    }
  });

  test('--version is the package version; --help lists the commands', async () => {
    const version = await box.run(['--version']);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
      bin: Record<string, string>;
    };
    assert.equal(version.stdout.trim(), pkg.version);
    // The package's bin runs the same tool.
    const viaBin = spawnSync(process.execPath, [join(ROOT, pkg.bin['research-assistant'] ?? ''), '--version'], { encoding: 'utf8' });
    assert.equal(viaBin.status, 0, viaBin.stderr);
    assert.equal(viaBin.stdout.trim(), pkg.version);
    const help = await box.run(['ask', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:/);
  });

  test('output into a pipe already closed (`--help | true`) ends quietly with exit 0, no EPIPE stack trace', () => {
    // `true` exits without reading: every write of the help finds the pipe closed.
    const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" --help | true; echo "cli exit \${PIPESTATUS[0]}" >&2`], {
      encoding: 'utf8',
    });
    assert.doesNotMatch(piped.stderr, /EPIPE|Error/);
    assert.match(piped.stderr, /cli exit 0/);
  });

  test('summarize a PDF directly, as JSON; --write on a paper is a usage error', async () => {
    const r = await box.run(['summarize', 'papers/genes.pdf', '--json', '--endpoint', fake.url]);
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    const out = json(r.stdout);
    assert.match(out.block as string, /sources="papers\/genes\.pdf"/);
    assert.deepEqual(Object.keys(out).slice(0, 5), ['task', 'block', 'sources', 'model', 'figures']);
    const write = await box.run(['summarize', 'papers/genes.pdf', '--write', '--endpoint', fake.url]);
    assert.equal(write.code, 2);
  });

  test('explain prints the footnote definition; draft prints a draft block; a heading the note lacks is an input error', async () => {
    const explain = await box.run(['explain', 'review.md', 'sample sizes', '--endpoint', fake.url]);
    assert.ok(explain.code === 0 || explain.code === 1, explain.stderr);
    assert.match(explain.stdout, /^\[\^sample-sizes\]: /);
    const draft = await box.run(['draft', 'review.md', '--heading', 'Thoughts', '--endpoint', fake.url]);
    assert.ok(draft.code === 0 || draft.code === 1, draft.stderr);
    assert.match(draft.stdout, /^<!-- research:draft /);
    const missing = await box.run(['draft', 'review.md', '--heading', 'Results', '--endpoint', fake.url]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /nothing to work on: .*Results/);
  });

  test('context: each source with its tokens and status (--json); the preview of the request Ask would send', async () => {
    const r = await box.run(['context', 'review.md', '--json', '--endpoint', fake.url]);
    assert.equal(r.code, 0, r.stderr);
    const out = json(r.stdout);
    assert.equal(out.usableContext, 32768);
    const sources = out.sources as { kind: string; status: string; tokens: number }[];
    assert.deepEqual(
      sources.map((s) => [s.kind, s.status]),
      [
        ['note', 'ok'],
        ['pdf', 'ok'],
        ['pdf', 'ok'],
        ['pdf', 'missing'],
      ],
    );
    assert.equal(
      out.totalTokens,
      sources.reduce((n, s) => n + s.tokens, 0),
    );
    const table = await box.run(['context', 'review.md', '--endpoint', fake.url]);
    assert.match(table.stdout, /^# Context preview: review\.md\n/);
    assert.match(table.stdout, /\*\*[\d,]+ tokens\*\* of 32,768 usable/);
    assert.match(table.stdout, /## Message 1: system/);
    assert.match(table.stdout, /^- \S+ \(missing\)$/m);
  });

  test('the runner is compiled once: a code cache is written, used by the next command, and a damaged one is replaced', async () => {
    const code = new Sandbox({ 'review.md': NOTE });
    try {
      const dir = join(code.cacheHome, 'local-research-assistant', 'code-cache');
      const args = ['context', 'review.md', '--verbose', '--endpoint', fake.url];
      const first = await code.run(args);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /^code cache: none$/m);
      const files = readdirSync(dir);
      assert.equal(files.length, 1, files.join(', '));
      assert.match(files[0] ?? '', /^cliRun-[0-9a-f]{20}\.v8cache$/);
      const second = await code.run(args);
      assert.match(second.stderr, /^code cache: used$/m);
      assert.equal(second.stdout, first.stdout);
      // A cache file cut short or written by something else: V8 refuses it, the command works, a good one replaces it.
      writeFileSync(join(dir, files[0] ?? ''), 'not a code cache');
      const damaged = await code.run(args);
      assert.equal(damaged.code, 0, damaged.stderr);
      assert.match(damaged.stderr, /^code cache: rejected$/m);
      assert.equal(damaged.stdout, first.stdout);
      assert.notEqual(readFileSync(join(dir, files[0] ?? ''), 'utf8'), 'not a code cache');
      assert.match((await code.run(args)).stderr, /^code cache: used$/m);
    } finally {
      code.dispose();
    }
  });

  test('check: a note without generated blocks says so and exits 0; unsupported figures exit 1', async () => {
    const plain = await box.run(['check', 'review.md']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /has no generated blocks/);
    assert.equal(plain.stdout, '');
    const withBlock = new Sandbox({
      'checked.md':
        '# Notes\n\nThe trial enrolled 120 people.\n\n<!-- research:summary target="note" sources="checked.md" model="m" date="2026-01-01" -->\n' +
        '> [!summary] Summary\n> - The trial enrolled 120 people and 45% improved.\n<!-- /research:summary -->\n',
    });
    try {
      const r = await withBlock.run(['check', 'checked.md', '--json']);
      assert.equal(r.code, 1, r.stderr);
      const out = json(r.stdout);
      const blocks = out.blocks as { checked: number; supported: number; unsupported: { text: string; message: string }[] }[];
      assert.equal(blocks.length, 1);
      assert.deepEqual(
        blocks[0]?.unsupported.map((u) => u.text),
        ['45%'],
      );
      assert.equal(out.unsupported, 1);
      // The same wording as the Problems panel in VS Code (core/grounding/messages.ts).
      const expected = '45% not found in the cited sources (checked: checked.md). Check the figure or remove it.';
      assert.equal(blocks[0]?.unsupported[0]?.message, expected);
      const text = await withBlock.run(['check', 'checked.md']);
      assert.equal(text.code, 1, text.stderr);
      assert.match(
        text.stdout,
        /^- summary block at line 5: figures checked 1\/2\n {2}- 45% not found in the cited sources \(checked: checked\.md\)\. Check the figure or remove it\.$/m,
      );
    } finally {
      withBlock.dispose();
    }
  });
});
