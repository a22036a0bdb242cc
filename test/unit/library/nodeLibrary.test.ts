/**
 * The library through the assistant on the Node host: a real folder, the real PDF engine, the index saved in the
 * cache folder and opened again by a new session.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, suite, test } from 'node:test';
import { createAssistant, DEFAULT_CONFIG, resolveConfig, type AssistantConfig } from '../../../src/core';
import { createNodePorts, fileUri } from '../../../src/node';

const root = mkdtempSync(join(tmpdir(), 'lra-library-'));
const workspace = join(root, 'ws');
const cacheDir = join(root, 'cache');
after(() => rmSync(root, { recursive: true, force: true }));

function session(config: Partial<AssistantConfig> = {}) {
  const ports = createNodePorts({ folders: workspace, cacheDir });
  let reads = 0;
  const files = ports.files;
  const counting = Object.assign(Object.create(files) as typeof files, {
    readBytes: (uri: string, signal: AbortSignal) => (reads++, files.readBytes(uri, signal)),
    readText: (uri: string, signal: AbortSignal) => (reads++, files.readText(uri, signal)),
  });
  const assistant = createAssistant({
    ports: { ...ports, files: counting },
    settings: () => resolveConfig({ ...DEFAULT_CONFIG, ...config }),
  });
  return { assistant, reads: () => reads };
}

suite('library on the Node host', () => {
  mkdirSync(join(workspace, 'notes'), { recursive: true });
  mkdirSync(join(workspace, 'drafts'), { recursive: true });
  writeFileSync(join(workspace, 'notes', 'wheat.md'), '# Wheat\n\nProline accumulates in wheat leaves under heat stress.\n');
  writeFileSync(join(workspace, 'notes', 'malawi.txt'), 'District hospitals in Malawi cut neonatal deaths with quality improvement.');
  writeFileSync(join(workspace, 'drafts', 'scratch.md'), '# Scratch\n\nProline draft that should stay out.\n');
  writeFileSync(join(workspace, 'broken.txt'), new Uint8Array(0));
  const old = new Date('2024-01-01T00:00:00Z');
  for (const f of ['notes/wheat.md', 'notes/malawi.txt', 'drafts/scratch.md', 'broken.txt']) utimesSync(join(workspace, f), old, old);

  test('builds, saves, and a new session finds everything unchanged without reading a file', async () => {
    const signal = new AbortController().signal;
    const first = session({ libraryExclude: ['drafts/**'] });
    const status = await first.assistant.library.update({ signal });
    assert.equal(status.indexed, 2);
    assert.equal(status.failed, 1);
    assert.equal(status.skipped, 1);
    const broken = status.files.find((f) => f.path === 'broken.txt');
    assert.equal(broken?.status.state, 'failed');
    assert.match(broken?.status.state === 'failed' ? broken.status.reason : '', /^broken\.txt: /);
    const hits = await first.assistant.library.search('proline heat', { signal, limit: 3 });
    assert.deepEqual(
      hits.map((h) => h.path),
      ['notes/wheat.md'],
    );
    assert.equal(hits[0]?.uri, fileUri(join(workspace, 'notes', 'wheat.md')));
    first.assistant.dispose();

    const second = session({ libraryExclude: ['drafts/**'] });
    const again = await second.assistant.library.update({ signal });
    assert.equal(second.reads(), 0, 'nothing read or hashed');
    assert.equal(again.indexed, 2);
    assert.equal((await second.assistant.library.search('neonatal', { signal }))[0]?.path, 'notes/malawi.txt');
    await second.assistant.clearCaches();
    assert.equal((await second.assistant.library.status()).files.length, 0);
    second.assistant.dispose();
  });
});
