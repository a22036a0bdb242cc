/**
 * Library engine rows (scripts/bench.mjs bundles and spawns this, once per step, so that each step's memory
 * is its own): `build` indexes 2,000 files of 150 synthetic passages (libraryCorpus.ts; 300,000 passages)
 * with 768-dimension vectors into a folder through the real LibraryIndex and NodeLibraryStore, saving every
 * 100 files as an indexer would; `query` re-opens that folder in a fresh process, checks every record as an
 * indexer does on start, then times lexical and hybrid queries (the embedder is a local function: the
 * server's embedding time is not the engine's).
 * usage: libraryEngine <json-args>  with { step: 'build' | 'query', dir, files?, perFile?, dims?, queries? }
 */
import { LibraryIndex, nullLogger } from '../../src/core';
import type { Chunk, Embedder } from '../../src/core/library/types';
import { NodeLibraryStore } from '../../src/node/libraryStore';
import { Random, syntheticCorpus } from './libraryCorpus';

interface Args {
  readonly step: 'build' | 'query';
  readonly dir: string;
  readonly files?: number;
  readonly perFile?: number;
  readonly dims?: number;
  readonly queries?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const FILES = args.files ?? 2000;
const PER_FILE = args.perFile ?? 150;
const DIMS = args.dims ?? 768;
const TOPICS = 64;
const MB = 1024 * 1024;
const signal = new AbortController().signal;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
function memory(): { heap: number; rss: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}
/** CPU time of this process in ms: on a machine shared with other work, wall time alone overstates the cost. */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

/** Vectors near one of 64 topic directions, so that nearest neighbours mean something. */
function topicVectors(): (topic: number, random: Random) => Float32Array {
  const r = new Random(99);
  const centroids = Array.from({ length: TOPICS }, () => Float32Array.from({ length: DIMS }, () => r.next() - 0.5));
  return (topic, random) => {
    const c = centroids[topic % TOPICS]!;
    const v = new Float32Array(DIMS);
    for (let i = 0; i < DIMS; i++) v[i] = c[i]! + (random.next() - 0.5) * 0.8;
    return v;
  };
}

const hash = (f: number) => `sha-${f}`;
const uri = (f: number) => `file:///library/paper${f}.pdf`;

async function build(): Promise<object> {
  const corpus = syntheticCorpus();
  const vector = topicVectors();
  const before = memory();
  const store = new NodeLibraryStore(args.dir);
  const index = await LibraryIndex.open(store, nullLogger);
  let engineMs = 0;
  let engineCpuMs = 0;
  const random = new Random(5);
  for (let f = 0; f < FILES; f++) {
    const chunks: Chunk[] = [];
    for (let i = 0; i < PER_FILE; i++) {
      const text = corpus.passage(f * PER_FILE + i);
      chunks.push({
        id: `paper${f}#${i}`,
        uri: uri(f),
        path: `paper${f}.pdf`,
        page: 1 + (i >> 3),
        start: i * 2000,
        end: i * 2000 + text.length,
        text,
      });
    }
    const vectors = chunks.map((_, i) => vector(f + i, random));
    const record = {
      uri: uri(f),
      path: `paper${f}.pdf`,
      hash: hash(f),
      size: 1,
      mtime: 1,
      status: { state: 'indexed', chunks: PER_FILE, vectors: true } as const,
    };
    const t = performance.now();
    const c = cpu();
    await index.putFile(record, chunks, { model: 'bench-embed', vectors });
    if (f % 100 === 99) await index.save();
    engineMs += performance.now() - t;
    engineCpuMs += cpu() - c;
  }
  const t = performance.now();
  const c = cpu();
  await index.save({ compact: true });
  engineMs += performance.now() - t;
  engineCpuMs += cpu() - c;
  const after = memory();
  return {
    chunks: index.chunkCount,
    engineMs,
    engineCpuMs,
    diskBytes: await store.bytes(),
    heapMb: (after.heap - before.heap) / MB,
    rssMb: (after.rss - before.rss) / MB,
  };
}

async function query(): Promise<object> {
  const corpus = syntheticCorpus();
  const queries = corpus.queries(args.queries ?? 200);
  const vector = topicVectors();
  const before = memory();
  let t = performance.now();
  let c = cpu();
  const index = await LibraryIndex.open(new NodeLibraryStore(args.dir), nullLogger);
  let unchanged = 0;
  for (let f = 0; f < FILES; f++) if (index.record(uri(f))?.hash === hash(f)) unchanged++;
  const upToDateMs = performance.now() - t;
  const upToDateCpuMs = cpu() - c;
  t = performance.now();
  c = cpu();
  await index.search(queries[0]!, { limit: 8, mode: 'lexical', signal });
  const firstQueryMs = performance.now() - t;
  const firstQueryCpuMs = cpu() - c;
  const random = new Random(11);
  const embedder: Embedder = {
    model: 'bench-embed',
    dimensions: DIMS,
    maxInputTokens: 8192,
    embed: async (texts) => texts.map((_, i) => vector(Math.floor(random.next() * TOPICS) + i, random)),
  };
  const timed = async (mode: 'lexical' | 'hybrid') => {
    for (const q of queries.slice(0, 10)) await index.search(q, { limit: 8, mode, signal }, embedder); // warm-up
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let hits = 0;
    for (const q of queries) {
      const s = performance.now();
      const sc = cpu();
      hits += (await index.search(q, { limit: 8, mode, signal }, embedder)).length;
      times.push(performance.now() - s);
      cpuTimes.push(cpu() - sc);
    }
    return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), cpuP95: percentile(cpuTimes, 0.95), hits: hits / queries.length };
  };
  const lexical = await timed('lexical');
  const hybrid = await timed('hybrid');
  const after = memory();
  return {
    files: index.records().length,
    unchanged,
    chunks: index.chunkCount,
    upToDateMs,
    upToDateCpuMs,
    firstQueryMs,
    firstQueryCpuMs,
    lexical,
    hybrid,
    heapMb: (after.heap - before.heap) / MB,
    rssMb: (after.rss - before.rss) / MB,
    searchMb: index.searchBytes / MB,
  };
}

(args.step === 'build' ? build() : query()).then(
  (result) => console.log(JSON.stringify(result)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
