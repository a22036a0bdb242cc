/**
 * Recall of the library over the real papers in ../shared/corpus/pdf, for the labelled questions in
 * test/fixtures/library/queries.json: the share of questions with a passage from the right file and page among
 * the first five. Used by the corpus test and the bench.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAssistant, DEFAULT_CONFIG, resolveConfig, type LibraryStatus, type Passage } from '../../../src/core';
import { createNodePorts } from '../../../src/node';

export const CORPUS_PDFS = join(__dirname, '../../../../shared/corpus/pdf');
const QUERIES = join(__dirname, '../../fixtures/library/queries.json');

export interface LabelledQuery {
  readonly id: string;
  readonly lang: 'en' | 'zh';
  readonly query: string;
  readonly file: string;
  readonly pages: readonly number[];
}

export interface RecallResult {
  readonly status: LibraryStatus;
  /** Recall@k per language (0–1). */
  readonly recall: Readonly<Record<'en' | 'zh', number>>;
  readonly counts: Readonly<Record<'en' | 'zh', { hits: number; total: number }>>;
  /** Questions whose answer was not in the top k, with what came first instead. */
  readonly misses: readonly { readonly id: string; readonly top: readonly string[] }[];
  readonly indexMs: number;
}

export function labelledQueries(file: string = QUERIES): LabelledQuery[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { queries: LabelledQuery[] }).queries;
}

export function corpusPresent(): boolean {
  return existsSync(CORPUS_PDFS) && labelledQueries().every((q) => existsSync(join(CORPUS_PDFS, q.file)));
}

function isHit(q: LabelledQuery, p: Passage): boolean {
  return p.path === q.file && p.page !== undefined && q.pages.includes(p.page);
}

/** Indexes the corpus folder (read in place; the index and extraction cache in a temp folder) and asks every question. */
export async function measureRecall(
  options: { k?: number; corpus?: string; engineFile?: string; queries?: string } = {},
): Promise<RecallResult> {
  const k = options.k ?? 5;
  const cacheDir = mkdtempSync(join(tmpdir(), 'lra-recall-'));
  try {
    const folder = options.corpus ?? CORPUS_PDFS;
    const ports = createNodePorts({ folders: folder, cacheDir, ...(options.engineFile ? { engineFile: options.engineFile } : {}) });
    const assistant = createAssistant({ ports, settings: () => resolveConfig(DEFAULT_CONFIG) });
    const signal = new AbortController().signal;
    const started = performance.now();
    const status = await assistant.library.update({ signal });
    const indexMs = performance.now() - started;
    const counts = { en: { hits: 0, total: 0 }, zh: { hits: 0, total: 0 } };
    const misses: { id: string; top: string[] }[] = [];
    for (const q of labelledQueries(options.queries)) {
      const passages = await assistant.library.search(q.query, { signal, limit: k, mode: 'lexical' });
      counts[q.lang].total++;
      if (passages.some((p) => isHit(q, p))) counts[q.lang].hits++;
      else misses.push({ id: q.id, top: passages.map((p) => `${p.path} p.${p.page ?? '?'}`) });
    }
    assistant.dispose();
    const recall = { en: counts.en.hits / Math.max(1, counts.en.total), zh: counts.zh.hits / Math.max(1, counts.zh.total) };
    return { status, recall, counts, misses, indexMs };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
