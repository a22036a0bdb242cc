import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, suite, test } from 'node:test';
import { LibraryIndex, MemoryLibraryStore, type Logger } from '../../../src/core';
import { tokenize } from '../../../src/core/library/lexicalTokenize';
import { FORMAT_VERSION } from '../../../src/core/library/persist';
import type { Chunk, Embedder, FileRecord } from '../../../src/core/library/types';
import { NodeLibraryStore } from '../../../src/node/libraryStore';

const signal = new AbortController().signal;
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ra-libidx-'));
  dirs.push(dir);
  return dir;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (m: string | Error) => lines.push(String(m));
  return { lines, trace: log, debug: log, info: log, warn: log, error: log };
}

function record(name: string, hash = 'h1'): FileRecord {
  return { uri: `file:///lib/${name}`, path: name, hash, size: 1, mtime: 1, status: { state: 'indexed', chunks: 1, vectors: false } };
}

function chunks(name: string, texts: readonly string[]): Chunk[] {
  let start = 0;
  return texts.map((text, i) => {
    const chunk = { id: `${name}#${i}`, uri: `file:///lib/${name}`, path: name, page: i + 1, start, end: start + text.length, text };
    start += text.length;
    return chunk;
  });
}

const PAPERS: Record<string, string[]> = {
  'transformers.pdf': [
    'The Transformer relies entirely on self-attention to compute representations of its input and output.',
    'Multi-head attention allows the model to jointly attend to information from different representation subspaces.',
  ],
  'glaciers.pdf': [
    'Glacier mass balance in the Alps declined sharply; the Rhône glacier lost forty metres of thickness.',
    'Meltwater runoff peaks in late summer and feeds rivers downstream during dry periods.',
  ],
  '中文笔记.md': ['深度学习模型在自然语言处理任务中表现出色，尤其是机器翻译。', '冰川融化导致海平面上升，影响沿海城市。'],
};

async function filled(index: LibraryIndex): Promise<void> {
  for (const [name, texts] of Object.entries(PAPERS)) await index.putFile(record(name), chunks(name, texts));
}

const top = async (index: LibraryIndex, query: string, extra: object = {}) =>
  (await index.search(query, { limit: 3, signal, ...extra })).map((p) => p.id);

suite('library engine: tokenizer', () => {
  test('folds case and diacritics, strips plurals and stop words, segments Chinese', () => {
    assert.deepEqual(tokenize('The Rhône glaciers of Ångström'), ['rhone', 'glacier', 'angstrom']);
    assert.deepEqual(tokenize('studies networks class'), ['study', 'network', 'class']);
    const zh = tokenize('深度学习模型在自然语言处理任务中表现出色');
    assert.ok(zh.includes('深度') || zh.includes('深度学习'), zh.join('|'));
    assert.ok(zh.includes('模型'), zh.join('|'));
    assert.ok(!zh.includes('在'), 'a Chinese function word is dropped');
  });
});

suite('library engine: ranking', () => {
  test('English and Chinese queries find the passage that answers them', async () => {
    const index = await LibraryIndex.open(new MemoryLibraryStore(), recordingLogger());
    await filled(index);
    assert.equal((await top(index, 'multi-head attention subspaces'))[0], 'transformers.pdf#1');
    assert.equal((await top(index, 'rhone glacier thickness'))[0], 'glaciers.pdf#0');
    assert.equal((await top(index, '机器翻译'))[0], '中文笔记.md#0');
    assert.equal((await top(index, '海平面上升'))[0], '中文笔记.md#1');
    assert.deepEqual(await top(index, 'zebra'), []);
    const [hit] = await index.search('meltwater runoff', { signal });
    assert.equal(hit?.text, PAPERS['glaciers.pdf']![1]);
    assert.equal(hit?.page, 2);
    assert.ok(hit!.score > 0);
  });

  test('uris restrict the search to those files; limit bounds it', async () => {
    const index = await LibraryIndex.open(new MemoryLibraryStore(), recordingLogger());
    await filled(index);
    assert.deepEqual(await top(index, 'attention glacier', { uris: ['file:///lib/glaciers.pdf'] }), ['glaciers.pdf#0']);
    assert.equal((await top(index, 'attention glacier', { limit: 1 })).length, 1);
  });

  test('a removed or replaced file is no longer found', async () => {
    const index = await LibraryIndex.open(new MemoryLibraryStore(), recordingLogger());
    await filled(index);
    await top(index, 'glacier'); // loads the search structures, so removal works on them
    await index.removeFile('file:///lib/glaciers.pdf');
    assert.deepEqual(await top(index, 'glacier meltwater'), []);
    await index.putFile(record('transformers.pdf', 'h2'), chunks('transformers.pdf', ['Recurrent networks process tokens one by one.']));
    assert.deepEqual(await top(index, 'attention'), []);
    assert.deepEqual(await top(index, 'recurrent'), ['transformers.pdf#0']);
    assert.deepEqual(
      index
        .records()
        .map((r) => `${r.path} ${r.hash}`)
        .sort(),
      ['transformers.pdf h2', '中文笔记.md h1'],
    );
  });

  test('hybrid: a passage found only by its vector; lexical mode and another model never call it', async () => {
    const dims = 8;
    const axis = (i: number) => Float32Array.from({ length: dims }, (_, j) => (j === i ? 1 : 0.05));
    const calls: string[] = [];
    const embedder: Embedder = {
      model: 'fake-embed',
      dimensions: dims,
      maxInputTokens: 512,
      embed: async (texts) => (calls.push(...texts), texts.map(() => axis(3))),
    };
    const index = await LibraryIndex.open(new MemoryLibraryStore(), recordingLogger());
    await index.putFile(record('sea.md'), chunks('sea.md', ['Waves and tides of salt water.', 'Harbour cranes.']), {
      model: 'fake-embed',
      vectors: [axis(3), axis(5)],
    });
    await index.putFile(record('other.md'), chunks('other.md', ['Ocean is mentioned here once.']), {
      model: 'fake-embed',
      vectors: [axis(1)],
    });
    const hybrid = await index.search('ocean', { limit: 2, signal }, embedder);
    assert.deepEqual(
      hybrid.map((p) => p.id),
      ['other.md#0', 'sea.md#0'],
    );
    assert.deepEqual(calls, ['ocean']);
    assert.deepEqual(await top(index, 'ocean', { mode: 'lexical' }), ['other.md#0']);
    const other = { ...embedder, model: 'another-model' };
    assert.deepEqual(
      (await index.search('ocean', { limit: 2, signal }, other)).map((p) => p.id),
      ['other.md#0'],
    );
    assert.equal(calls.length, 1);
  });
});

suite('library engine: persistence', () => {
  async function saved(dir: string, compact: boolean): Promise<void> {
    const index = await LibraryIndex.open(new NodeLibraryStore(dir), recordingLogger());
    await filled(index);
    await index.save({ compact });
  }

  for (const compact of [false, true])
    test(`round trip through a folder (${compact ? 'with' : 'without'} a snapshot)`, async () => {
      const dir = tempDir();
      await saved(dir, compact);
      assert.equal(
        readdirSync(dir).some((n) => n.endsWith('.idx')),
        compact,
      );
      const logger = recordingLogger();
      const index = await LibraryIndex.open(new NodeLibraryStore(dir), logger);
      assert.equal(index.records().length, 3);
      assert.equal(index.chunkCount, 6);
      assert.equal((await top(index, 'multi-head attention'))[0], 'transformers.pdf#1');
      assert.equal((await top(index, '机器翻译'))[0], '中文笔记.md#0');
      assert.deepEqual(logger.lines, []);
    });

  test('a change after the snapshot: the snapshot answers for the rest, the segment for the change', async () => {
    const dir = tempDir();
    await saved(dir, true);
    const first = await LibraryIndex.open(new NodeLibraryStore(dir), recordingLogger());
    await first.removeFile('file:///lib/glaciers.pdf');
    await first.putFile(record('new.md'), chunks('new.md', ['Photosynthesis converts light into chemical energy.']));
    await first.save();
    const index = await LibraryIndex.open(new NodeLibraryStore(dir), recordingLogger());
    assert.deepEqual(await top(index, 'photosynthesis'), ['new.md#0']);
    assert.deepEqual(await top(index, 'glacier'), []);
    assert.equal((await top(index, 'self-attention'))[0], 'transformers.pdf#0');
    // replaced files are gone from the folder
    const names = readdirSync(dir);
    assert.equal(names.filter((n) => n.endsWith('.seg')).length, 3);
  });

  function corrupt(dir: string, pick: (name: string) => boolean, damage: (bytes: Buffer) => Buffer): string {
    const name = readdirSync(dir).find(pick)!;
    writeFileSync(join(dir, name), damage(readFileSync(join(dir, name))));
    return name;
  }
  const truncate = (b: Buffer) => b.subarray(0, b.length - 7);
  const flip = (b: Buffer) => {
    const c = Buffer.from(b);
    c[c.length - 3]! ^= 0xff;
    return c;
  };
  const otherVersion = (b: Buffer) => {
    const c = Buffer.from(b);
    c.writeUInt32LE(FORMAT_VERSION + 1, 8);
    return c;
  };

  for (const [what, damage] of [
    ['truncated', truncate],
    ['corrupt', flip],
    ['other-version', otherVersion],
  ] as const) {
    test(`a ${what} manifest: an empty index, one log line, no leftovers`, async () => {
      const dir = tempDir();
      await saved(dir, true);
      corrupt(dir, (n) => n === 'manifest', damage);
      const logger = recordingLogger();
      const index = await LibraryIndex.open(new NodeLibraryStore(dir), logger);
      assert.equal(index.records().length, 0);
      assert.deepEqual(await top(index, 'attention'), []);
      assert.equal(logger.lines.length, 1);
      assert.match(logger.lines[0]!, /unreadable/);
      // the passages it named are gone; the manifest itself is replaced by the next save
      assert.deepEqual(readdirSync(dir), ['manifest']);
    });

    test(`a ${what} snapshot: rebuilt from the segments, same results`, async () => {
      const dir = tempDir();
      await saved(dir, true);
      corrupt(dir, (n) => n.endsWith('.idx'), damage);
      const logger = recordingLogger();
      const index = await LibraryIndex.open(new NodeLibraryStore(dir), logger);
      assert.equal((await top(index, 'multi-head attention'))[0], 'transformers.pdf#1');
      assert.equal((await top(index, '海平面上升'))[0], '中文笔记.md#1');
      assert.equal(logger.lines.length, 1);
      assert.match(logger.lines[0]!, /snapshot/);
      await index.save(); // all passages are stale: the snapshot is rewritten
      const again = recordingLogger();
      const reopened = await LibraryIndex.open(new NodeLibraryStore(dir), again);
      assert.equal((await top(reopened, 'rhone'))[0], 'glaciers.pdf#0');
      assert.deepEqual(again.lines, []);
    });

    test(`a ${what} segment: that file leaves the index (to be indexed again), the others answer`, async () => {
      const dir = tempDir();
      await saved(dir, false);
      const manifest = readFileSync(join(dir, 'manifest'));
      const first = readdirSync(dir)
        .filter((n) => n.endsWith('.seg'))
        .sort()[0]!;
      corrupt(dir, (n) => n === first, damage);
      const logger = recordingLogger();
      const index = await LibraryIndex.open(new NodeLibraryStore(dir), logger);
      assert.deepEqual(await top(index, 'attention'), []);
      assert.equal((await top(index, 'glacier'))[0], 'glaciers.pdf#0');
      assert.equal(index.record('file:///lib/transformers.pdf'), undefined);
      assert.equal(logger.lines.length, 1);
      assert.match(logger.lines[0]!, /transformers\.pdf/);
      await index.save();
      assert.notDeepEqual(readFileSync(join(dir, 'manifest')), manifest);
    });
  }
});
