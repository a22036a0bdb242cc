/**
 * An in-memory library for tests of the library's hosts and tasks: a few passages with pages, searched by
 * counting shared words (enough to rank "sleep recall" above "protein folding"), with per-file states.
 */
import type { Chunk, FileRecord, Library, LibraryStatus, Passage, SearchOptions, UpdateOptions } from '../../../src/core/library/types';

export interface FakeChunk {
  readonly path: string;
  readonly page?: number;
  readonly section?: string;
  readonly text: string;
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [];
}

export class FakeLibrary implements Library {
  readonly searches: { query: string; options: Omit<SearchOptions, 'signal'> }[] = [];
  readonly changes: string[][] = [];
  updates = 0;
  cleared = 0;
  protected chunks: Chunk[];

  constructor(
    chunks: readonly FakeChunk[],
    private readonly root = 'file:///ws',
    private readonly extraFiles: readonly FileRecord[] = [],
  ) {
    this.chunks = chunks.map((c, i) => ({
      id: `${c.path}#${i}`,
      uri: `${root}/${c.path}`,
      path: c.path,
      ...(c.page !== undefined ? { page: c.page } : {}),
      ...(c.section ? { section: c.section } : {}),
      start: 0,
      end: c.text.length,
      text: c.text,
    }));
  }

  update(options: UpdateOptions): Promise<LibraryStatus> {
    this.updates += 1;
    const files = this.files();
    files.forEach((_, i) => options.progress?.report(`${i + 1}/${files.length} files`, (i + 1) / files.length));
    return this.status();
  }

  changed(uris: readonly string[]): Promise<void> {
    this.changes.push([...uris]);
    return Promise.resolve();
  }

  private files(): FileRecord[] {
    const byPath = new Map<string, number>();
    for (const c of this.chunks) byPath.set(c.path, (byPath.get(c.path) ?? 0) + 1);
    const indexed: FileRecord[] = [...byPath].map(([path, n]) => ({
      uri: `${this.root}/${path}`,
      path,
      hash: `h-${path}`,
      size: 1000,
      mtime: 0,
      status: { state: 'indexed', chunks: n, vectors: false },
    }));
    return [...indexed, ...this.extraFiles];
  }

  status(): Promise<LibraryStatus> {
    const files = this.files();
    const count = (state: string): number => files.filter((f) => f.status.state === state).length;
    return Promise.resolve({
      files,
      indexed: count('indexed'),
      failed: count('failed'),
      skipped: count('skipped'),
      pending: 0,
      chunks: this.chunks.length,
    });
  }

  search(query: string, options: SearchOptions): Promise<Passage[]> {
    const { signal, ...rest } = options;
    if (signal.aborted) return Promise.reject(new Error('cancelled'));
    this.searches.push({ query, options: rest });
    const terms = new Set(words(query));
    const only = options.uris ? new Set(options.uris) : undefined;
    const scored = this.chunks
      .filter((c) => !only || only.has(c.uri))
      .map((c) => ({ ...c, score: words(c.text).filter((w) => terms.has(w)).length }))
      .filter((p) => p.score > 0)
      .sort((a, b) => b.score - a.score);
    return Promise.resolve(scored.slice(0, options.limit ?? 8));
  }

  clear(): Promise<void> {
    this.cleared += 1;
    this.chunks = [];
    return Promise.resolve();
  }

  dispose(): void {}
}

/** Three papers: two about sleep and memory (pages 4 and 2), one about protein folding. */
export const SLEEP_CHUNKS: readonly FakeChunk[] = [
  {
    path: 'papers/sleep.pdf',
    page: 4,
    section: 'Results',
    text: 'Slow-wave sleep improved recall by 12% (n = 24) in the treatment group.',
  },
  { path: 'papers/sleep.pdf', page: 1, section: 'Abstract', text: 'We study sleep and memory consolidation in adults.' },
  { path: 'papers/naps.pdf', page: 2, section: 'Findings', text: 'A 90-minute nap restored recall after sleep deprivation by 8%.' },
  { path: 'papers/protein.pdf', page: 7, section: 'Methods', text: 'Protein folding was simulated with molecular dynamics.' },
];

export function sleepLibrary(root = 'file:///ws'): FakeLibrary {
  return new FakeLibrary(SLEEP_CHUNKS, root);
}
