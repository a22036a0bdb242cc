/**
 * Bibliography rows, in plain Node through the real code (scripts/bench.mjs bundles and spawns this): a
 * generated Better BibTeX-style Zotero export of about 850 entries parsed cold by the engine's parser, then
 * read through the source reader with a file store (the first session parses and stores it) and again in new
 * sessions (new reader, new store object on the same folder: the parse comes from the store).
 * usage: bibtex <json-args>  with { runs, engine, tmp }; prints one JSON line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, DefaultSourceReader, resolveConfig, type NoteDocument } from '../../src/core';
import { NodeFileStore, NodeWorkspace, fileUri, loadEngineModule } from '../../src/node';
import { zoteroBib } from './bibGen';

interface Args {
  readonly runs: number;
  readonly engine: string;
  readonly tmp: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const engine = loadEngineModule(args.engine);

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await f();
  return { ms: performance.now() - t, value };
}

async function main(): Promise<void> {
  const dir = join(args.tmp, 'vault');
  mkdirSync(dir, { recursive: true });
  const text = zoteroBib();
  writeFileSync(join(dir, 'refs.bib'), text);
  const noteText = '---\nbibliography: refs.bib\n---\nSee [@nonesuch2020].\n';
  writeFileSync(join(dir, 'index.md'), noteText);
  const doc: NoteDocument = { uri: fileUri(join(dir, 'index.md')), version: 1, languageId: 'markdown', getText: () => noteText };
  const signal = new AbortController().signal;

  // A cold parse takes seconds with a slow parser: a few repeats are enough to see the spread.
  const cold: number[] = [];
  let entries = 0;
  let unkeyed = 0;
  for (let i = 0; i < Math.min(args.runs, 3); i++) {
    const r = await timed(() => engine.bibtex.parse(text));
    cold.push(r.ms);
    entries = r.value.length;
    unkeyed = r.value.filter((e) => e.key.includes('????') && !e.title).length;
  }

  const storeDir = join(args.tmp, 'store');
  const session = (): DefaultSourceReader => {
    const files = new NodeWorkspace(dir);
    return new DefaultSourceReader({
      files,
      workspace: files,
      pdf: () => Promise.resolve(engine.pdf),
      bibtex: () => Promise.resolve(engine.bibtex),
      config: () => resolveConfig(DEFAULT_CONFIG),
      isTrusted: () => true,
      store: new NodeFileStore(storeDir),
    });
  };
  const first = await timed(() => session().collect(doc, { signal }));
  if (first.value.sources[0]?.status !== 'missing') throw new Error('the unknown key should be reported missing');
  const fromStore: number[] = [];
  const inMemory: number[] = [];
  for (let i = 0; i < args.runs; i++) {
    const reader = session();
    fromStore.push((await timed(() => reader.collect(doc, { signal }))).ms);
    inMemory.push((await timed(() => reader.collect(doc, { signal }))).ms);
  }
  console.log(JSON.stringify({ bytes: Buffer.byteLength(text), entries, unkeyed, cold, firstSession: first.ms, fromStore, inMemory }));
}

main().catch((error: unknown) => {
  console.log(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
  process.exit(1);
});
