/**
 * The measurement behind the library index's lexical engine: MiniSearch, FlexSearch and Orama against the
 * typed-array BM25 index (src/core/library/lexical.ts), on the same synthetic passages (libraryCorpus.ts),
 * all with the same tokenizer. Each engine runs in a process of its own (clean memory figures).
 * usage (the three libraries are not dependencies of the project; install them for the run):
 *   npm install --no-save minisearch@7.2.0 flexsearch@0.8.212 @orama/orama@3.1.18
 *   node --expose-gc --import tsx bench/node/libraryCompare.ts [--chunks 30000] [--queries 200] [--engines typed,orama]
 * prints a markdown table (and one JSON line per engine on stderr).
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { LexicalIndex } from '../../src/core/library/lexical';
import { tokenize } from '../../src/core/library/lexicalTokenize';
import { syntheticCorpus } from './libraryCorpus';

const { values: opt } = parseArgs({
  options: {
    engine: { type: 'string' },
    engines: { type: 'string', default: 'typed,minisearch,flexsearch,orama' },
    chunks: { type: 'string', default: '30000' },
    queries: { type: 'string', default: '200' },
  },
});
const CHUNKS = Number(opt.chunks);
const QUERIES = Number(opt.queries);
const MB = 1024 * 1024;

interface Engine {
  add(id: number, text: string): void | Promise<void>;
  done?(): void;
  search(query: string): unknown;
  serializedBytes(): Promise<number>;
}

async function makeEngine(name: string): Promise<Engine> {
  if (name === 'minisearch') {
    const { default: MiniSearch } = await import('minisearch');
    const ms = new MiniSearch<{ id: number; text: string }>({ fields: ['text'], tokenize, processTerm: (t) => t });
    return {
      add: (id, text) => ms.add({ id, text }),
      search: (q) => ms.search(q).slice(0, 8),
      serializedBytes: async () => Buffer.byteLength(JSON.stringify(ms)),
    };
  }
  if (name === 'flexsearch') {
    const { default: FlexSearch } = await import('flexsearch');
    const index = new FlexSearch.Index({ tokenize: 'strict', encode: tokenize });
    return {
      add: (id, text) => void index.add(id, text),
      search: (q) => index.search(q, { limit: 8 }),
      serializedBytes: async () => {
        let n = 0;
        await index.export((key: string, data: string) => void (n += key.length + (data?.length ?? 0)));
        return n;
      },
    };
  }
  if (name === 'orama') {
    const { create, insert, search, save } = await import('@orama/orama');
    const db = create({
      schema: { text: 'string' } as const,
      components: { tokenizer: { language: 'english', normalizationCache: new Map(), tokenize: (raw: string) => tokenize(raw) } },
    });
    return {
      add: (id, text) => void insert(db, { id: String(id), text }),
      search: (q) => search(db, { term: q, properties: ['text'], limit: 8 }),
      serializedBytes: async () => Buffer.byteLength(JSON.stringify(save(db))),
    };
  }
  const index = new LexicalIndex();
  return {
    add: (_id, text) => void index.add(tokenize(text)),
    done: () => index.freeze(),
    search: (q) => index.search(tokenize(q), 8),
    serializedBytes: async () => {
      const remap = Int32Array.from({ length: index.size }, (_, i) => i);
      return index.serialize(remap, index.size).length;
    },
  };
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const memory = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function runOne(name: string): Promise<void> {
  const corpus = syntheticCorpus();
  const queries = corpus.queries(QUERIES);
  const before = memory();
  const engine = await makeEngine(name);
  let indexMs = 0;
  for (let i = 0; i < CHUNKS; i++) {
    const text = corpus.passage(i);
    const t = performance.now();
    await engine.add(i, text);
    indexMs += performance.now() - t;
  }
  const t = performance.now();
  engine.done?.();
  indexMs += performance.now() - t;
  const after = memory();
  for (const q of queries.slice(0, 20)) engine.search(q); // warm-up
  const times = queries.map((q) => {
    const s = performance.now();
    engine.search(q);
    return performance.now() - s;
  });
  const serialized = await engine.serializedBytes();
  console.log(
    JSON.stringify({
      engine: name,
      chunks: CHUNKS,
      indexMs,
      heapMb: (after.heap - before.heap) / MB,
      rssMb: (after.rss - before.rss) / MB,
      p50: percentile(times, 0.5),
      p95: percentile(times, 0.95),
      serializedMb: serialized / MB,
    }),
  );
}

async function bundleKb(entry: string): Promise<number> {
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: process.cwd() },
    bundle: true,
    minify: true,
    write: false,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents.length / 1024;
}

async function main(): Promise<void> {
  if (opt.engine) return runOne(opt.engine);
  const bundles: Record<string, string> = {
    minisearch: "import M from 'minisearch'; console.log(M);",
    flexsearch: "import F from 'flexsearch'; console.log(F);",
    orama: "import * as O from '@orama/orama'; console.log(O.create, O.search, O.insert, O.save);",
    typed:
      "import { LexicalIndex } from './src/core/library/lexical'; import { tokenize } from './src/core/library/lexicalTokenize'; console.log(LexicalIndex, tokenize);",
  };
  const rows: string[] = [];
  for (const name of opt.engines.split(',')) {
    const child = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--max-old-space-size=8192',
        '--import',
        'tsx',
        'bench/node/libraryCompare.ts',
        '--engine',
        name,
        '--chunks',
        String(CHUNKS),
        '--queries',
        String(QUERIES),
      ],
      { encoding: 'utf8' },
    );
    const line = child.stdout.trim().split('\n').pop() ?? '';
    console.error(line || child.stderr.slice(-800));
    const bundle = await bundleKb(bundles[name]!);
    if (!line.startsWith('{')) {
      rows.push(`| ${name} | failed (exit ${child.status}) | | | | | ${bundle.toFixed(1)} KiB |`);
      continue;
    }
    const r = JSON.parse(line) as Record<string, number>;
    rows.push(
      `| ${name} | ${(r.indexMs! / 1000).toFixed(1)} s | ${r.heapMb!.toFixed(0)} MB / ${r.rssMb!.toFixed(0)} MB | ${r.p50!.toFixed(2)} / ${r.p95!.toFixed(2)} ms | ${r.serializedMb!.toFixed(1)} MB | ${bundle.toFixed(1)} KiB |`,
    );
  }
  console.log(`${CHUNKS.toLocaleString('en')} passages of ~250 words (1 in 30 Chinese), ${QUERIES} queries of 2–5 words, limit 8\n`);
  console.log('| engine | index time | memory added (heap+external / RSS) | query p50 / p95 | serialised | bundle (minified) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

void main();
