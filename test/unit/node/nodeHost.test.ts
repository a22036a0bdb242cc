import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, promises as fsPromises, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, suite, test } from 'node:test';
import { contentHash, ExtractionCache, InMemoryKeyValueStore } from '../../../src/core/cache/extractionCache';
import { PromptLibrary } from '../../../src/core/prompts/promptLibrary';
import { createNodePorts, fileUri, NodeFileStore, NodePromptSource, NodeWorkspace, nodeContentHash, nodeTextHash } from '../../../src/node';
import { ResultCache, sha256Hex } from '../../../src/core/results/resultCache';

import { sectionsPdf } from '../../fixtures/pdf-gen/generate';

const signal = new AbortController().signal;
const temp = mkdtempSync(join(tmpdir(), 'lra-node-host-'));
after(() => rmSync(temp, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string | Uint8Array>): string {
  const root = join(temp, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

suite('Node host (src/node)', () => {
  test('node:crypto content hashes are the Web Crypto ones: both hosts and every cache entry share their keys', async () => {
    for (const bytes of [new Uint8Array(0), new TextEncoder().encode('%PDF-1.7 …'), await sectionsPdf()]) {
      const hash = await nodeContentHash(bytes);
      assert.match(hash, /^[0-9a-f]{64}$/);
      assert.equal(hash, await contentHash(bytes));
    }
    assert.equal(createNodePorts({ folders: temp, cacheDir: join(temp, 'hash-cache') }).hash, nodeContentHash);
  });

  test('node:crypto text hashes are the Web Crypto ones: results cached by one host are found by the other', async () => {
    // ASCII, Chinese, an emoji (a surrogate pair), a lone surrogate (both encode it as U+FFFD), NUL separators.
    for (const text of ['', 'Summarize the paper.', '深度学习在生物医学中的应用', 'figure 🔬 3', 'broken \ud800 pair', 'a\u0000b\u0001c']) {
      const hash = await nodeTextHash(text);
      assert.match(hash, /^[0-9a-f]{64}$/);
      assert.equal(hash, await sha256Hex(text), JSON.stringify(text));
    }
    const parts = { templateId: 'ask', templateVersion: 2, model: 'qwen3', params: { maxTokens: 800 }, input: 'user\u0001你好' };
    const store = new InMemoryKeyValueStore();
    assert.equal(await new ResultCache(store, false, nodeTextHash).key(parts), await new ResultCache(store).key(parts));
    assert.equal(createNodePorts({ folders: temp, cacheDir: join(temp, 'hash-cache') }).hashText, nodeTextHash);
  });

  test('the workspace walk lists linkable files, skips tool folders, and reads and stats them', async () => {
    const root = folder('ws', {
      'notes/a.md': '# A',
      'papers/p.pdf': '%PDF',
      'refs.bib': '@article{k,}',
      'image.png': 'x',
      'node_modules/dep/readme.md': 'no',
      '.git/HEAD.md': 'no',
    });
    // Linked files and folders are followed; a link back up the tree is walked once.
    symlinkSync(join(root, 'papers/p.pdf'), join(root, 'notes/linked.pdf'));
    symlinkSync(root, join(root, 'notes/loop'));
    const ws = new NodeWorkspace(root);
    assert.deepEqual(ws.folders(), [fileUri(root)]);
    const names = (await ws.files(signal)).map((u) => u.slice(fileUri(root).length + 1));
    assert.deepEqual(names.sort(), ['notes/a.md', 'notes/linked.pdf', 'papers/p.pdf', 'refs.bib']);
    assert.equal(await ws.readText(`${fileUri(root)}/notes/a.md`, signal), '# A');
    const stamp = await ws.stat(`${fileUri(root)}/notes/a.md`, signal);
    assert.equal(stamp?.size, 3);
    // The change time lets a later session trust a stored content hash (ExtractionCache.storedHashFor).
    assert.ok((stamp?.ctime ?? 0) > 0 && (stamp?.mtime ?? 0) > 0, JSON.stringify(stamp));
    assert.equal(await ws.stat(`${fileUri(root)}/notes/none.md`, signal), undefined);
    assert.equal(await ws.stat(`${fileUri(root)}/notes`, signal), undefined, 'a folder is not a file');
    writeFileSync(join(root, 'notes/b.md'), '# B');
    assert.equal((await ws.files(signal)).length, 4, 'the list is kept until refresh');
    ws.refresh();
    assert.equal((await ws.files(signal)).length, 5);
    writeFileSync(join(root, 'notes/c.md'), '# C');
    assert.equal((await ws.files(signal, { fresh: true })).length, 6, 'a fresh listing sees a file written a moment ago');
    assert.equal((await ws.files(signal)).length, 6, 'and is kept');
  });

  test('the file store writes through a temp file, stays under its size, and ignores leftovers of a crashed write', async () => {
    const dir = join(temp, 'store');
    const store = new NodeFileStore(dir, { maxBytes: 1000 });
    await store.set('pdf-v1-aaa', 'x'.repeat(400));
    await store.set('weird/key:1', 'y'.repeat(400));
    assert.equal(await store.get('weird/key:1'), 'y'.repeat(400));
    assert.equal(await store.get('missing'), undefined);
    // A write a crashed process left half done: never read as an entry, removed once old.
    const leftover = join(dir, 'pdf-v1-aaa.json.123-dead.tmp');
    writeFileSync(leftover, 'truncat');
    const old = new Date(Date.now() - 3600_000);
    utimesSync(leftover, old, old);
    utimesSync(join(dir, 'pdf-v1-aaa.json'), old, old);
    assert.equal(await store.get('pdf-v1-aaa'), 'x'.repeat(400));
    await store.set('third', 'z'.repeat(400));
    assert.equal(await store.get('pdf-v1-aaa'), undefined, 'the least recently written entry went');
    assert.equal(await store.get('third'), 'z'.repeat(400));
    assert.ok(!readdirSync(dir).some((n) => n.endsWith('.tmp')), 'stale temp file removed');
    assert.deepEqual(await store.size(), { files: 2, bytes: 800 });
    await store.delete('third');
    assert.equal(await store.get('third'), undefined);
    await store.clear();
    assert.deepEqual(await store.size(), { files: 0, bytes: 0 });
  });

  test('the file store does not list its folder at every write (a library build of n papers was O(n²)), yet stays bounded', async () => {
    const dir = join(temp, 'store-scans');
    const store = new NodeFileStore(dir, { maxBytes: 50_000 });
    const readdir = fsPromises.readdir;
    let scans = 0;
    fsPromises.readdir = ((...a: Parameters<typeof readdir>) => (scans++, readdir(...a))) as typeof readdir;
    try {
      for (let i = 0; i < 300; i++) await store.set(`k${i}`, 'x'.repeat(100));
      assert.ok(scans <= 3, `${scans} folder listings for 300 writes`);
      assert.deepEqual(await store.size(), { files: 300, bytes: 30_000 });
      // Over the bound: the writes that cross it evict the oldest entries at once.
      for (let i = 300; i < 500; i++) await store.set(`k${i}`, 'x'.repeat(100));
      const { bytes } = await store.size();
      assert.ok(bytes <= 50_000, `${bytes} bytes`);
      assert.equal(await store.get('k499'), 'x'.repeat(100), 'the newest stays');
      // Rewriting an entry counts its new size only once.
      for (let i = 0; i < 20; i++) await store.set('k499', 'y'.repeat(100));
      assert.ok((await store.size()).bytes <= 50_000);
    } finally {
      fsPromises.readdir = readdir;
    }
  });

  test('prompt templates: the built-in folder, and the workspace override folder of the note', async () => {
    const root = folder('prompts-ws', {
      'my-prompts/summarize.md': '---\nid: summarize\ntitle: Mine\n---\nSummarize {{note}}',
      'my-prompts/README.md': 'not a template',
    });
    const source = new NodePromptSource(undefined, [root]);
    const builtins = await source.builtins();
    assert.ok(
      builtins.some((f) => f.file === 'prompts/summarize.md'),
      'ships the package prompts/ folder',
    );
    assert.ok(!builtins.some((f) => /readme/i.test(f.file)));
    const user = await source.overrides('my-prompts', `${fileUri(root)}/note.md`);
    assert.deepEqual(
      user.map((f) => f.file),
      ['my-prompts/summarize.md'],
    );
    const library = PromptLibrary.load(builtins, user);
    assert.equal(library.get('summarize').title, 'Structured summary', 'built-ins parse');
    assert.equal(library.errors[0]?.file, 'my-prompts/summarize.md', 'a bad override is reported naming its file');
    assert.deepEqual(await source.overrides('no-such-folder', undefined), []);
  });

  test('createNodePorts: the engine extracts a PDF and parses BibTeX, and the extraction persists in the store', async () => {
    const root = folder('ports', { 'paper.pdf': await sectionsPdf() });
    const ports = createNodePorts({ folders: root, cacheDir: join(temp, 'ports-cache') });
    const uri = `${fileUri(root)}/paper.pdf`;
    const extraction = await ports.pdf.extract(await ports.files.readBytes(uri, signal), { name: 'paper.pdf' });
    assert.ok(extraction.characters > 100);
    const entries = await ports.bibtex.parse('@article{smith2020, title={A Title}, file={paper.pdf}}');
    assert.equal(entries[0]?.key, 'smith2020');
    await new ExtractionCache(ports.store).set('abc', extraction);
    const again = await new ExtractionCache(createNodePorts({ folders: root, cacheDir: join(temp, 'ports-cache') }).store).get('abc');
    assert.equal(again?.text, extraction.text);
  });
});
