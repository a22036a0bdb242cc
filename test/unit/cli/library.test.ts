import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { runIndex, runSearch } from '../../../src/cli/library';
import type { CliAssistant } from '../../../src/cli/host';
import type { CliRequest } from '../../../src/cli/program';
import { Output } from '../../../src/cli/render';
import { Terminal } from '../../../src/cli/terminal';
import type { Library } from '../../../src/core';
import { FakeLibrary, sleepLibrary } from '../fakes/library';

const signal = new AbortController().signal;

function harness(library: Library): { host: CliAssistant; output: Output; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const terminal = new Terminal({ stream: { write: (t: string) => ((err += t), true) } as unknown as NodeJS.WritableStream, quiet: false });
  const output = new Output(terminal, { write: (t: string) => ((out += t), true) } as unknown as NodeJS.WritableStream);
  const host = { assistant: { library } } as unknown as CliAssistant;
  return { host, output, out: () => out, err: () => err };
}

const request = (fields: Partial<CliRequest>): CliRequest =>
  ({
    command: 'index',
    workspace: '/ws',
    flags: {},
    json: false,
    quiet: false,
    write: false,
    noCache: false,
    verbose: false,
    ...fields,
  }) as CliRequest;

const withFailures = (): FakeLibrary =>
  new FakeLibrary([{ path: 'papers/sleep.pdf', page: 4, text: 'Slow-wave sleep improved recall.' }], 'file:///ws', [
    {
      uri: 'file:///ws/papers/locked.pdf',
      path: 'papers/locked.pdf',
      hash: '',
      size: 10,
      mtime: 0,
      status: { state: 'failed', reason: 'the PDF is encrypted', attempts: 2 },
    },
    { uri: 'file:///ws/big.txt', path: 'big.txt', hash: '', size: 10, mtime: 0, status: { state: 'skipped', reason: 'larger than 50 MB' } },
  ]);

void suite('CLI: index and search', () => {
  test('index updates with "N/M files" progress, prints the counts, names failed files; exit 1 when some failed', async () => {
    const library = withFailures();
    const h = harness(library);
    const code = await runIndex(request({}), h.host, h.output, signal);
    assert.equal(code, 1);
    assert.equal(library.updates, 1);
    assert.match(h.err(), /3\/3 files/);
    assert.match(h.err(), /warning: failed {3}papers\/locked\.pdf: the PDF is encrypted \(2 attempts\)/);
    assert.match(h.out(), /^1\/3 files indexed \(1 passages\); 1 failed, 1 skipped; word search only/);
  });

  test('index --status prints each file (failed first) without updating; --json is machine-readable', async () => {
    const library = withFailures();
    const h = harness(library);
    await runIndex(request({ indexStatus: true }), h.host, h.output, signal);
    assert.equal(library.updates, 0);
    assert.deepEqual(h.out().trim().split('\n').slice(0, 3), [
      'failed   papers/locked.pdf: the PDF is encrypted (2 attempts)',
      'skipped  big.txt: larger than 50 MB',
      'indexed  papers/sleep.pdf (1 passage)',
    ]);
    const j = harness(library);
    await runIndex(request({ indexStatus: true, json: true }), j.host, j.output, signal);
    const parsed = JSON.parse(j.out()) as { failed: number; files: { path: string; state: string; reason?: string }[] };
    assert.equal(parsed.failed, 1);
    assert.deepEqual(parsed.files[1], { path: 'papers/locked.pdf', state: 'failed', reason: 'the PDF is encrypted', attempts: 2 });
  });

  test('search --json: [{path, page, section, score, text}], best first, --limit respected', async () => {
    const library = sleepLibrary();
    const h = harness(library);
    const code = await runSearch(request({ command: 'search', query: 'sleep recall', limit: 2, json: true }), h.host, h.output, signal);
    assert.equal(code, 0);
    const hits = JSON.parse(h.out()) as { path: string; page: number | null; section: string | null; score: number; text: string }[];
    assert.equal(hits.length, 2);
    assert.deepEqual(Object.keys(hits[0]!), ['path', 'page', 'section', 'score', 'text']);
    assert.deepEqual([hits[0]!.path, hits[0]!.page, hits[0]!.section], ['papers/sleep.pdf', 4, 'Results']);
    assert.ok(hits[0]!.score >= hits[1]!.score);
    assert.equal(library.updates, 1, 'the index is brought up to date before searching');
  });

  test('search as text: rank, file, page, section and the passage; nothing found is exit 1 with a warning', async () => {
    const h = harness(sleepLibrary());
    await runSearch(request({ command: 'search', query: 'protein folding' }), h.host, h.output, signal);
    assert.match(h.out(), /^1\. papers\/protein\.pdf, p\. 7, § Methods \(score \d/);
    assert.match(h.out(), /Protein folding was simulated/);
    const none = harness(sleepLibrary());
    assert.equal(await runSearch(request({ command: 'search', query: 'tungsten' }), none.host, none.output, signal), 1);
    assert.match(none.err(), /nothing in the library matches "tungsten"/);
  });
});
