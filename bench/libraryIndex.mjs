// Bench rows of the library indexer (bench/node/libraryIndex.ts in a child process): recall@5 of the labelled
// questions (English, Chinese), a text-only build of many PDFs against pdftotext, and re-opening a workspace of
// unchanged indexed files. The build row runs 200 PDFs by default (the whole bench stays within minutes);
// `--library-files 1000` runs the full size of the target.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { ROOT, run, withLock } from '../scripts/host/lib.mjs';

/**
 * @param {{ row: Function, out: string, say: Function, child: Function, fmt: Function, corpus: string, files?: number, reopen?: number }} bench
 */
export async function libraryIndexRows({ row, out, say, child, fmt, corpus, files = 200, reopen = 2000 }) {
  const dir = path.join(out, 'library');
  say('library: production engine build');
  // A private copy of the engine (and the CMaps beside it): builds by others must not change it mid-run.
  await withLock('build', async () => {
    const code = await run(process.execPath, ['esbuild.mjs', '--production'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (code !== 0) throw new Error(`esbuild.mjs --production failed (${code})`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'dist/pdfEngine.js'), path.join(dir, 'pdfEngine.cjs'));
    if (fs.existsSync(path.join(ROOT, 'dist/cmaps')))
      fs.cpSync(path.join(ROOT, 'dist/cmaps'), path.join(dir, 'cmaps'), { recursive: true });
  });
  say(`library: recall@5, building ${files} PDFs, re-opening ${reopen} unchanged files`);
  let r = {};
  try {
    r = await child(
      [
        path.join(out, 'js/libraryIndex.cjs'),
        JSON.stringify({
          corpus,
          queries: path.join(ROOT, 'test/fixtures/library/queries.json'),
          engine: path.join(dir, 'pdfEngine.cjs'),
          work: path.join(dir, 'work'),
          files,
          reopen,
        }),
      ],
      { timeoutMs: 900_000 },
    );
  } catch (e) {
    r = { recallError: e.message, buildError: e.message, reopenError: e.message };
  }
  if (r.recall) {
    for (const lang of ['en', 'zh']) {
      const c = r.recall.counts[lang];
      row(`Library recall@5, ${lang === 'en' ? 'English' : 'Chinese'} questions on the corpus papers (lexical)`, {
        measured: `${(100 * r.recall.recall[lang]).toFixed(0)} % (${c.hits}/${c.total})`,
        value: 100 * r.recall.recall[lang],
      });
    }
  } else row('Library recall@5 (labelled questions)', { reason: r.recallError });
  if (r.build && r.build.popplerMs !== undefined) {
    const b = r.build;
    const ratio = b.buildMs / (b.popplerMs / 2);
    const size = b.files >= 1000 ? '' : ` (${b.files}, not 1,000: run with --library-files 1000 for the full size)`;
    row(`Library: text-only build of ${b.files} PDFs${size} vs summed pdftotext ÷ 2 (2 cores)`, {
      measured: `${ratio.toFixed(2)}× (${fmt(b.buildMs / 1000, 's')} vs ${fmt(b.popplerMs / 2000, 's')}; ${b.corpusCopies} corpus copies, ${b.chunks} passages, ${b.failed} failed)`,
      value: ratio,
      target: '≤ 1.5×',
      limit: 1.5,
    });
  } else row('Library: text-only build of many PDFs vs pdftotext', { reason: r.buildError ?? 'pdftotext is not installed' });
  if (r.reopen) {
    row(`Library: re-opening a workspace of ${r.reopen.files.toLocaleString('en-US')} unchanged indexed files (new session)`, {
      measured: `${fmt(r.reopen.reopenMs / 1000, 's')} (${r.reopen.upToDate} up to date)`,
      value: r.reopen.reopenMs / 1000,
      target: '≤ 2 s',
      limit: 2,
    });
  } else row('Library: re-opening unchanged indexed files', { reason: r.reopenError });
}
