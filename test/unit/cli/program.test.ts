import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { parseCommandLine, type CliRequest, type ParseOutcome } from '../../../src/cli/program';

function parse(...argv: string[]): { outcome: ParseOutcome; out: string; err: string } {
  let out = '';
  let err = '';
  const outcome = parseCommandLine(argv, {
    cwd: '/home/u/vault',
    version: '9.8.7',
    writeOut: (t) => (out += t),
    writeErr: (t) => (err += t),
  });
  return { outcome, out, err };
}

function request(...argv: string[]): CliRequest {
  const { outcome, err } = parse(...argv);
  assert.equal(outcome.kind, 'run', err);
  return (outcome as { request: CliRequest }).request;
}

function exitCode(...argv: string[]): { code: number; out: string; err: string } {
  const { outcome, out, err } = parse(...argv);
  assert.equal(outcome.kind, 'exit');
  return { code: (outcome as { code: number }).code, out, err };
}

suite('command line parsing', () => {
  test('summarize: the file relative to the current directory, the workspace defaulting to it', () => {
    const r = request('summarize', 'notes/review.md');
    assert.equal(r.command, 'summarize');
    assert.equal(r.target, '/home/u/vault/notes/review.md');
    assert.equal(r.workspace, '/home/u/vault');
    assert.deepEqual(r.flags, {});
    assert.deepEqual([r.json, r.quiet, r.write, r.noCache], [false, false, false, false]);
  });

  test('options after or before the arguments, short forms, and the settings flags', () => {
    const r = request(
      'summarize',
      '--workspace',
      '..',
      'notes/review.md',
      '--link',
      'papers/x.pdf',
      '-w',
      '-q',
      '--json',
      '--no-cache',
      '--endpoint',
      'http://127.0.0.1:8000',
      '--model',
      'qwen3',
      '--lang',
      'zh-CN',
      '--concurrency',
      '3',
    );
    assert.equal(r.workspace, '/home/u');
    assert.equal(r.link, 'papers/x.pdf');
    assert.deepEqual([r.json, r.quiet, r.write, r.noCache], [true, true, true, true]);
    assert.deepEqual(r.flags, { endpoint: 'http://127.0.0.1:8000', model: 'qwen3', outputLanguage: 'zh-CN', concurrency: 3 });
  });

  test('ask, explain, draft and compare take their own arguments', () => {
    assert.equal(request('ask', 'n.md', 'What was the sample size?').question, 'What was the sample size?');
    assert.equal(request('explain', 'n.md', 'p-value').term, 'p-value');
    assert.equal(request('draft', 'n.md', '--heading', 'Background').heading, 'Background');
    assert.deepEqual(request('compare', 'n.md', '--columns', 'Aim, Method ,N').flags, { compareColumns: ['Aim', 'Method', 'N'] });
    assert.equal(request('status').target, undefined);
    assert.equal(request('context', 'n.md').command, 'context');
    assert.equal(request('check', 'n.md').command, 'check');
  });

  test('usage errors exit 2 with one message on stderr and nothing on stdout', () => {
    for (const argv of [
      ['ask', 'n.md'],
      ['draft', 'n.md'],
      ['summarize'],
      ['frobnicate'],
      ['status', '--concurrency', '0'],
      ['summarize', 'n.md', '--lang', 'fr'],
      ['compare', 'n.md', '--columns', ' , '],
      ['ask', 'n.md', '  '],
      ['check', 'n.md', '--write'],
      [],
    ]) {
      const { code, out, err } = exitCode(...argv);
      assert.equal(code, 2, argv.join(' '));
      assert.equal(out, '', argv.join(' '));
      assert.notEqual(err, '', argv.join(' '));
    }
  });

  test('batch: the folder, --out and --columns resolved, --retry-failed; a folder is required', () => {
    const r = request('batch', 'inbox', '--out', 'Literature/daily', '--columns', 'Aim, Sample size', '--retry-failed');
    assert.equal(r.command, 'batch');
    assert.equal(r.target, '/home/u/vault/inbox');
    assert.equal(r.out, '/home/u/vault/Literature/daily');
    assert.deepEqual(r.flags, { compareColumns: ['Aim', 'Sample size'] });
    assert.equal(r.retryFailed, true);
    const plain = request('batch', 'inbox');
    assert.equal(plain.out, undefined);
    assert.equal(plain.retryFailed, false);
    assert.equal(exitCode('batch').code, 2);
  });

  test('index: the folder is the workspace; --status, --retry-failed and --json', () => {
    const plain = request('index');
    assert.equal(plain.command, 'index');
    assert.equal(plain.workspace, '/home/u/vault');
    const r = request('index', 'papers', '--status', '--json');
    assert.equal(r.workspace, '/home/u/vault/papers');
    assert.equal(r.indexStatus, true);
    assert.equal(r.json, true);
    assert.equal(request('index', '--retry-failed').retryFailed, true);
  });

  test('search: the query and --limit; a bad limit or an empty query is a usage error', () => {
    const r = request('search', 'sleep recall', '--limit', '5', '--json');
    assert.deepEqual([r.command, r.query, r.limit, r.json], ['search', 'sleep recall', 5, true]);
    assert.equal(exitCode('search', 'x', '--limit', '0').code, 2);
    assert.equal(exitCode('search', ' ').code, 2);
    assert.equal(exitCode('search').code, 2);
  });

  test('ask --library asks the library from the note', () => {
    const r = request('ask', '--library', 'n.md', 'What improved recall?');
    assert.deepEqual([r.command, r.target, r.question, r.library], ['ask', '/home/u/vault/n.md', 'What improved recall?', true]);
    assert.equal(request('ask', 'n.md', 'q').library, undefined);
  });

  test('commands of later versions exit 2 with "not available yet", not "unknown command"', () => {
    for (const argv of [['references', 'n.md', '--style', 'apa']]) {
      const { code, err } = exitCode(...argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, /not available yet/, argv.join(' '));
    }
  });

  test('--version and --help print on stdout and exit 0; per-command help has examples', () => {
    const version = exitCode('--version');
    assert.deepEqual([version.code, version.out.trim()], [0, '9.8.7']);
    const help = exitCode('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /summarize/);
    assert.match(help.out, /Exit codes: 0 done/);
    for (const command of ['summarize', 'compare', 'ask', 'explain', 'draft', 'check', 'context', 'status']) {
      const h = exitCode(command, '--help');
      assert.equal(h.code, 0, command);
      assert.match(h.out, new RegExp(`Examples:\\n  \\$ research-assistant ${command}`), command);
      assert.match(h.out, /--endpoint <url>/, command);
    }
    assert.match(exitCode('summarize', '--help').out, /--write/);
    assert.doesNotMatch(exitCode('check', '--help').out, /--write/);
  });
});
