import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { AssistantError } from '../../../src/core/errors';
import { engineChunkIndex, type ChunkIndex } from '../../../src/core/library/chunkIndex';
import { MemoryLibraryStore } from '../../../src/core/ports/libraryStore';
import { nullLogger } from '../../../src/core/ports/logger';
import type { LibraryScope } from '../../../src/core/library/discover';
import { createLibrary, type LibraryDeps, type LibraryService } from '../../../src/core/library/library';
import type { Embedder, FileRecord } from '../../../src/core/library/types';
import type { PdfExtraction } from '../../../src/core/pdf/types';
import { SourceFileReader } from '../../../src/core/sources/readers';
import { InMemoryFiles, signal } from '../sources/inMemoryWorkspace';

/** A stand-in for the PDF engine: the "PDF" bytes are its text; some names fail as real PDFs do. */
function fakePdf(bytes: Uint8Array, name: string): Promise<PdfExtraction> {
  const text = new TextDecoder().decode(bytes);
  if (text.startsWith('CORRUPT'))
    return Promise.reject(new AssistantError('SourceUnreadable', `${name}: Invalid PDF structure`, { data: { reason: 'corrupt' } }));
  if (text.startsWith('IMAGES'))
    return Promise.reject(
      new AssistantError('SourceUnreadable', `${name}: the PDF has no text layer (scanned or image-only); run OCR on it first`, {
        data: { reason: 'imageOnly' },
      }),
    );
  const full = `[page 1]\n\n${text}`;
  return Promise.resolve({
    pageCount: 1,
    pagesRead: 1,
    pages: [text],
    text: full,
    sections: [{ title: 'Body', level: 1, text: full, location: { page: 1 }, role: 'body' }],
    stats: {} as PdfExtraction['stats'],
    characters: text.length,
  });
}

interface Setup {
  fs: InMemoryFiles;
  index: ChunkIndex & { saves: number };
  library: LibraryService;
  /** Files read as sources, by workspace-relative path. */
  reads: string[];
}

function setup(
  files: Record<string, string>,
  options: {
    scope?: Partial<LibraryScope>;
    embedder?: Embedder;
    extra?: Partial<LibraryDeps>;
    onRead?: (count: number) => void;
    /** The host's listing, when a test needs one other than the live file list. */
    listing?: (fs: InMemoryFiles) => LibraryDeps['files']['files'];
  } = {},
): Setup {
  const fs = new InMemoryFiles({});
  let clock = 1000;
  for (const [path, text] of Object.entries(files)) fs.add(path, text, clock++);
  const engine = engineChunkIndex(new MemoryLibraryStore(), nullLogger);
  const index = { ...engine, saves: 0 };
  index.save = (final) => (index.saves++, engine.save(final));
  const reader = new SourceFileReader({
    files: fs,
    workspace: { folders: () => fs.folders() },
    pdf: () => Promise.resolve({ extract: (b, o) => fakePdf(b, o.name ?? '') }),
  });
  const reads: string[] = [];
  const library = createLibrary({
    index,
    files: {
      readBytes: (u) => fs.readBytes(u),
      readText: (u) => fs.readText(u),
      stat: (u) => fs.stat(u),
      folders: () => fs.folders(),
      files: options.listing?.(fs) ?? (() => fs.filesInWorkspace()),
    },
    read: (uri, s, o) => {
      reads.push(reader.nameOf(uri));
      options.onRead?.(reads.length);
      return reader.readSource(uri, s, o);
    },
    scope: () => ({ include: [], exclude: [], ...options.scope }),
    ...(options.embedder ? { embedder: () => Promise.resolve(options.embedder) } : {}),
    ...options.extra,
  });
  return { fs, index, library, reads };
}

function record(records: readonly FileRecord[], path: string): FileRecord {
  const r = records.find((x) => x.path === path);
  assert.ok(r, `no record for ${path}: ${records.map((x) => x.path).join(', ')}`);
  return r;
}

const PAPERS = {
  'papers/wheat.pdf': 'Wheat grain yield falls under heat stress. Metabolites such as proline accumulate.',
  'papers/malawi.pdf': 'Quality improvement in Malawi district hospitals reduced neonatal mortality.',
  'notes/reading.md': '# Reading\n\nThe S2ORC corpus has 81.1M papers.\n',
  'notes/todo.txt': 'Check the ACE inhibitor fragments.',
};

/**
 * An embedder whose first request waits until the test lets it go: `held()` resolves, once that request has
 * arrived, with the function that lets it (and every later one) through.
 */
function heldEmbedder(): { embedder: Embedder; held: () => Promise<() => void> } {
  let release: (() => void) | undefined;
  const embedder: Embedder = {
    model: 'fake-embed',
    dimensions: 2,
    maxInputTokens: 512,
    embed: async (texts) => {
      if (release === undefined) await new Promise<void>((resolve) => (release = resolve));
      return texts.map((t) => new Float32Array([t.length % 5, 1]));
    },
  };
  const held = async (): Promise<() => void> => {
    while (release === undefined) await new Promise((resolve) => setImmediate(resolve));
    return release;
  };
  return { embedder, held };
}

suite('library update', () => {
  test('indexes every file with its chunks, then finds passages by their words', async () => {
    const { library } = setup(PAPERS);
    const messages: string[] = [];
    const status = await library.update({ signal, progress: { report: (m) => messages.push(m) } });
    assert.equal(status.indexed, 4);
    assert.equal(status.failed + status.skipped + status.pending, 0);
    assert.ok(status.chunks >= 4);
    assert.deepEqual(record(status.files, 'papers/wheat.pdf').status, { state: 'indexed', chunks: 1, vectors: false });
    assert.equal(messages.at(-1), '4/4 files');
    const hits = await library.search('proline heat stress', { signal, limit: 3 });
    assert.equal(hits[0]?.path, 'papers/wheat.pdf');
    assert.equal(hits[0]?.page, 1);
  });

  test('each update asks the host for a fresh listing: a file written after a cached listing is indexed', async () => {
    // A host that keeps its listing until a watcher reports a change, as VS Code's does: only `fresh` re-lists.
    let cached: readonly string[] | undefined;
    const asked: boolean[] = [];
    const { fs, library } = setup(
      { 'papers/wheat.pdf': PAPERS['papers/wheat.pdf'] },
      {
        listing: (files) => async (_signal, o) => {
          asked.push(!!o?.fresh);
          if (o?.fresh || !cached) cached = await files.filesInWorkspace();
          return cached;
        },
      },
    );
    await library.update({ signal });
    fs.add('papers/nap.md', '# Nap\n\nAn afternoon nap restored recall.\n', 5000);
    const status = await library.update({ signal });
    assert.equal(status.indexed, 2);
    assert.deepEqual(asked, [true, true]);
  });

  test('an unchanged file is not read again, a changed one is, a deleted one is dropped', async () => {
    const { fs, library, reads } = setup(PAPERS);
    await library.update({ signal });
    assert.equal(reads.length, 4);
    const bytesRead = fs.reads;
    reads.length = 0;
    await library.update({ signal });
    assert.deepEqual(reads, [], 'nothing re-read');
    assert.equal(fs.reads, bytesRead, 'not even hashed');
    fs.add('papers/wheat.pdf', 'Wheat now tolerates drought thanks to trehalose.', 5000);
    fs.files.delete('/ws/notes/todo.txt');
    const status = await library.update({ signal });
    assert.deepEqual(reads, ['papers/wheat.pdf']);
    assert.equal(status.indexed, 3);
    assert.equal(
      status.files.some((f) => f.path === 'notes/todo.txt'),
      false,
    );
    assert.equal((await library.search('trehalose', { signal }))[0]?.path, 'papers/wheat.pdf');
    assert.deepEqual(await library.search('proline', { signal }), []);
  });

  test('a file touched without a change is hashed but not read again', async () => {
    const { fs, library, reads } = setup(PAPERS);
    await library.update({ signal });
    reads.length = 0;
    fs.add('notes/reading.md', PAPERS['notes/reading.md'], 9999);
    const status = await library.update({ signal });
    assert.deepEqual(reads, []);
    assert.equal(record(status.files, 'notes/reading.md').mtime, 9999);
  });

  test('a failed file is listed with the reason naming it, never stops the run, and is retried on request', async () => {
    const { fs, library, reads } = setup({ ...PAPERS, 'papers/broken.pdf': 'CORRUPT', 'papers/scan.pdf': 'IMAGES' });
    const status = await library.update({ signal });
    assert.equal(status.indexed, 4);
    assert.equal(status.failed, 2);
    const broken = record(status.files, 'papers/broken.pdf').status;
    assert.equal(broken.state, 'failed');
    assert.match(broken.state === 'failed' ? broken.reason : '', /papers\/broken\.pdf: Invalid PDF structure/);
    const scan = record(status.files, 'papers/scan.pdf').status;
    assert.match(scan.state === 'failed' ? scan.reason : '', /papers\/scan\.pdf: .*no text layer/);
    reads.length = 0;
    await library.update({ signal });
    assert.deepEqual(reads, [], 'an unchanged failed file is not retried by a plain update');
    fs.add('papers/broken.pdf', 'CORRUPT still', 4242);
    fs.add('papers/broken.pdf', 'Repaired: the fragment binds the ACE active site.', 4242);
    const retried = await library.update({ signal, retryFailed: true });
    assert.deepEqual(reads.sort(), ['papers/broken.pdf', 'papers/scan.pdf']);
    assert.equal(record(retried.files, 'papers/broken.pdf').status.state, 'indexed');
    assert.deepEqual(record(retried.files, 'papers/scan.pdf').status, {
      state: 'failed',
      reason: (scan as { reason: string }).reason,
      attempts: 2,
    });
  });

  test('cancelling keeps what is done: the next update reads only the rest', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 20; i++) many[`notes/n${String(i).padStart(2, '0')}.md`] = `# Note ${i}\n\nTopic number ${i} is discussed here.\n`;
    const controller = new AbortController();
    // The sixth read is under way when the user cancels: five files are done.
    const { library, reads, index } = setup(many, { extra: { concurrency: 1 }, onRead: (n) => (n === 6 ? controller.abort() : undefined) });
    const messages: string[] = [];
    const update = library.update({ signal: controller.signal, progress: { report: (m) => messages.push(m) } });
    await assert.rejects(update, (e: unknown) => (e as AssistantError).code === 'Cancelled');
    const kept = await library.status();
    assert.equal(kept.indexed, 5);
    assert.equal(messages[0], '0/20 files');
    assert.equal(kept.pending, 0);
    assert.ok(index.saves >= 1, 'saved on cancel');
    reads.length = 0;
    const status = await library.update({ signal });
    assert.equal(status.indexed, 20);
    assert.equal(reads.length, 15);
  });

  test('gitignored and excluded files are skipped with the rule that left them out; include narrows', async () => {
    const { library, reads } = setup(
      {
        ...PAPERS,
        '.gitignore': 'build/\n*.tmp.md\n',
        'build/out.md': '# Generated',
        'notes/draft.tmp.md': '# Scratch',
        'notes/sub/.gitignore': 'private.md\n',
        'notes/sub/private.md': '# Diary',
        'archive/old.pdf': 'Old paper.',
        'vendor/x.txt': 'third party',
      },
      { scope: { exclude: ['archive/**'], hostExclude: ['**/vendor'] } },
    );
    const status = await library.update({ signal });
    const reason = (path: string): string => {
      const s = record(status.files, path).status;
      return s.state === 'skipped' ? s.reason : s.state;
    };
    assert.equal(reason('build/out.md'), 'build/out.md: excluded by .gitignore');
    assert.equal(reason('notes/draft.tmp.md'), 'notes/draft.tmp.md: excluded by .gitignore');
    assert.equal(reason('notes/sub/private.md'), 'notes/sub/private.md: excluded by notes/sub/.gitignore');
    assert.equal(reason('archive/old.pdf'), 'archive/old.pdf: excluded by researchAssistant.library.exclude');
    assert.equal(reason('vendor/x.txt'), 'vendor/x.txt: excluded by files.exclude');
    assert.equal(status.indexed, 4);
    assert.equal(status.skipped, 5);
    assert.ok(!reads.some((r) => r.startsWith('build/') || r.startsWith('archive/')));

    const narrowed = setup(PAPERS, { scope: { include: ['papers/**'] } });
    const only = await narrowed.library.update({ signal });
    assert.deepEqual(only.files.map((f) => f.path).sort(), ['papers/malawi.pdf', 'papers/wheat.pdf']);
  });

  test('a watcher change re-reads that file, and a deleted one is dropped', async () => {
    const { fs, library, reads } = setup(PAPERS);
    await library.update({ signal });
    reads.length = 0;
    fs.add('notes/new.md', '# New\n\nGlyphosate residues in soil.\n', 7000);
    fs.files.delete('/ws/papers/malawi.pdf');
    await library.changed([fs.uri('notes/new.md'), fs.uri('papers/malawi.pdf')], signal);
    assert.deepEqual(reads, ['notes/new.md']);
    const status = await library.status();
    assert.equal(status.indexed, 4);
    assert.equal(
      status.files.some((f) => f.path === 'papers/malawi.pdf'),
      false,
    );
    assert.equal((await library.search('glyphosate', { signal }))[0]?.path, 'notes/new.md');
  });

  test('with an embedder, vectors follow in the background and search fuses both rankings', async () => {
    const calls: number[] = [];
    const embedder: Embedder = {
      model: 'fake-embed',
      dimensions: 2,
      maxInputTokens: 512,
      embed: (texts) => {
        calls.push(texts.length);
        return Promise.resolve(texts.map((t) => new Float32Array([t.includes('heat') ? 1 : 0, t.length % 7])));
      },
    };
    const { library } = setup(PAPERS, { embedder });
    const lexical = await library.update({ signal });
    assert.equal(lexical.indexed, 4);
    await library.vectorsDone();
    const status = await library.status();
    assert.equal(status.embeddingModel, 'fake-embed');
    assert.ok(status.files.every((f) => f.status.state === 'indexed' && f.status.vectors));
    assert.ok(calls.length >= 4);
    const hits = await library.search('heat', { signal, limit: 2 });
    assert.equal(hits[0]?.path, 'papers/wheat.pdf');
    const lexicalOnly = await library.search('heat', { signal, limit: 2, mode: 'lexical' });
    assert.equal(calls.length, status.files.length + 1, 'hybrid search embedded the query once; lexical not at all');
    assert.equal(lexicalOnly[0]?.path, 'papers/wheat.pdf');
  });

  test('waitForVectors: the update resolves with every passage embedded, reporting progress; cancelling stops it', async () => {
    const { embedder, held } = heldEmbedder();
    const { library } = setup(PAPERS, { embedder });
    const messages: string[] = [];
    const waiting = library.update({ signal, waitForVectors: true, progress: { report: (m) => messages.push(m) } });
    // The files are indexed, the embedding has begun and holds the update open.
    let settled = false;
    void waiting.then(() => (settled = true));
    const release = await held();
    assert.equal(settled, false);
    release();
    const status = await waiting;
    assert.equal(status.embeddingModel, 'fake-embed');
    assert.ok(status.files.every((f) => f.status.state === 'indexed' && f.status.vectors));
    assert.ok(messages.some((m) => /^embedding passages: 0\/\d+ \(fake-embed\)$/.test(m)));
    const last = messages.filter((m) => m.startsWith('embedding')).at(-1) ?? '';
    const [done, total] = /(\d+)\/(\d+)/.exec(last)!.slice(1);
    assert.equal(done, total);

    // Another library, its update cancelled while its passages are being embedded: it rejects, nothing hangs.
    const blocked: Embedder = {
      ...embedder,
      embed: (_texts, s) => new Promise((_, reject) => s.addEventListener('abort', () => reject(s.reason))),
    };
    const second = setup(PAPERS, { embedder: blocked });
    const controller = new AbortController();
    const cancelled = second.library.update({
      signal: controller.signal,
      waitForVectors: true,
      progress: { report: (m) => m.startsWith('embedding') && controller.abort() },
    });
    await assert.rejects(cancelled, (e: Error) => /cancel|abort/i.test(`${e.name} ${e.message}`));
    assert.equal((await second.library.status()).embeddingModel, undefined);
  });

  test('while vectors are computed in the background the status says with which model and how far', async () => {
    const { embedder, held } = heldEmbedder();
    const { library } = setup(PAPERS, { embedder });
    const built = await library.update({ signal });
    const release = await held();
    const during = await library.status();
    assert.deepEqual(during.embedding, { model: 'fake-embed', embedded: 0, total: built.chunks });
    release();
    await library.vectorsDone();
    const after = await library.status();
    assert.equal(after.embedding, undefined);
    assert.equal(after.embeddingModel, 'fake-embed');
  });

  test('clear forgets everything; the next update rebuilds', async () => {
    const { library, reads } = setup(PAPERS);
    await library.update({ signal });
    await library.clear();
    assert.equal((await library.status()).files.length, 0);
    reads.length = 0;
    assert.equal((await library.update({ signal })).indexed, 4);
    assert.equal(reads.length, 4);
  });
});
