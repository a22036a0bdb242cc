/**
 * Stand-in PDFs when ../shared/corpus/pdf is absent: generated with pdf-lib (the unit tests' generator),
 * a two-column page and text PDFs of 12, 30, 60 and 122 pages (like the corpus review). Writes them into argv[2].
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { headerFooterPdf, twoColumnPdf } from '../../test/fixtures/pdf-gen/generate';

async function main(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const made: [string, Uint8Array][] = [
    ['generated-two-column.pdf', await twoColumnPdf()],
    ['generated-12-pages.pdf', await headerFooterPdf(12)],
    ['generated-30-pages.pdf', await headerFooterPdf(30)],
    ['generated-60-pages.pdf', await headerFooterPdf(60)],
    ['generated-122-pages.pdf', await headerFooterPdf(122)],
  ];
  for (const [name, bytes] of made) writeFileSync(join(dir, name), bytes);
  console.log(JSON.stringify(made.map(([name]) => join(dir, name))));
}

main(process.argv[2] ?? '.').catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
