// A child process for the kill test: writes the library index in a loop (puts, removals, saves, compactions)
// until it is killed. Every passage of a file carries `file<n>` and `v<hash>`, so the parent can check that
// each record it reads back belongs with the passages stored for it.
import { LibraryIndex, nullLogger } from '../../../src/core';
import { NodeLibraryStore } from '../../../src/node/libraryStore';

const [dir, seedText] = process.argv.slice(2);
let seed = Number(seedText) || 1;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const WORDS = 'model data result method layer signal network glacier sample energy value error'.split(' ');

async function main(): Promise<void> {
  const index = await LibraryIndex.open(new NodeLibraryStore(dir!), nullLogger);
  process.stdout.write('ready\n');
  for (let step = 0; ; step++) {
    const n = Math.floor(random() * 12);
    const uri = `file:///lib/file${n}.md`;
    if (random() < 0.2) await index.removeFile(uri);
    else {
      const hash = `${process.pid}x${step}`;
      const chunks = Array.from({ length: 5 + Math.floor(random() * 40) }, (_, i) => {
        const filler = Array.from({ length: 200 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
        const text = `file${n} v${hash} ${filler}`;
        return { id: `file${n}#${i}`, uri, path: `file${n}.md`, start: 0, end: text.length, text };
      });
      const vectors = chunks.map(() => Float32Array.from({ length: 16 }, () => random() - 0.5));
      const record = {
        uri,
        path: `file${n}.md`,
        hash,
        size: 1,
        mtime: 1,
        status: { state: 'indexed', chunks: chunks.length, vectors: true } as const,
      };
      await index.putFile(record, chunks, { model: 'fake', vectors });
    }
    if (random() < 0.5) await index.save({ compact: random() < 0.3 });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(String(error));
  process.exit(1);
});
