/**
 * The library on the command line: `index` (update, or each file's state with --status), `search` (passages with
 * file, page, section and score), and the update `ask --library` runs first. The index is brought up to date
 * before every search: unchanged files are recognised by their stamp and content hash, not read again; `index`
 * also computes the vectors of new passages (see updateLibrary).
 */
import { type FileRecord, type Library, type LibraryStatus, type Passage } from '../core';
import { ExitCode } from './exitCodes';
import type { CliAssistant } from './host';
import type { CliRequest } from './program';
import type { Output } from './render';

const n = (value: number): string => value.toLocaleString('en-US');

/** Passages `search` prints by default. */
export const SEARCH_LIMIT = 10;

/** The workspace's library: its index is kept in the cache folder, one per workspace (see libraryFolder). */
export function requireLibrary(host: CliAssistant): Library {
  return host.assistant.library;
}

/**
 * Brings the index up to date with the workspace, with "312/1,000 files" progress on stderr. `index` also waits
 * for the vectors of passages that have none, when the server has an embedding model: this process would exit
 * before a background embedding finished. A search or a question does not wait (a first embedding of a large
 * library takes long); it says how many files are found by words only until `index` has run.
 */
export async function updateLibrary(
  library: Library,
  output: Output,
  signal: AbortSignal,
  options: { readonly retryFailed?: boolean; readonly waitForVectors?: boolean } = {},
): Promise<LibraryStatus> {
  output.terminal.progress.report('looking for papers and notes in the workspace', 0);
  const status = await library.update({
    signal,
    progress: output.terminal.progress,
    ...(options.waitForVectors ? { waitForVectors: true } : {}),
    ...(options.retryFailed ? { retryFailed: true } : {}),
  });
  output.terminal.done();
  if (!options.waitForVectors && status.embeddingModel) {
    const without = status.files.filter((f) => f.status.state === 'indexed' && !f.status.vectors).length;
    const one = without === 1;
    if (without > 0)
      output.terminal.info(
        `${n(without)} file${one ? ' has' : 's have'} no vectors yet and ${one ? 'is' : 'are'} found by words only; ` +
          '`research-assistant index` computes them',
      );
  }
  return status;
}

/** One line of counts: "998/1,000 files indexed (12,345 passages); 2 failed, 0 skipped". */
export function statusSummary(status: LibraryStatus): string {
  const parts = [`${n(status.indexed)}/${n(status.files.length)} files indexed (${n(status.chunks)} passages)`];
  const rest = [`${n(status.failed)} failed`, `${n(status.skipped)} skipped`];
  if (status.pending > 0) rest.push(`${n(status.pending)} not read yet`);
  const vectors = status.embeddingModel ? `vectors: ${status.embeddingModel}` : 'word search only (no embedding model)';
  return `${parts.join('')}; ${rest.join(', ')}; ${vectors}`;
}

/** A file's state as JSON: `{path, state, chunks?, vectors?, reason?, attempts?}`. */
export function fileEntry(file: FileRecord): Record<string, unknown> {
  const s = file.status;
  return {
    path: file.path,
    state: s.state,
    ...(s.state === 'indexed' ? { chunks: s.chunks, vectors: s.vectors } : {}),
    ...(s.state === 'failed' ? { reason: s.reason, attempts: s.attempts } : {}),
    ...(s.state === 'skipped' ? { reason: s.reason } : {}),
  };
}

/** A reason that already starts with the file's path (the reader's messages name the file) is not given it twice. */
function withoutPath(reason: string, path: string): string {
  return reason.startsWith(`${path}: `) ? reason.slice(path.length + 2) : reason;
}

/** A file's state as one line: "failed   papers/x.pdf: the PDF is encrypted". */
export function fileLine(file: FileRecord): string {
  const s = file.status;
  switch (s.state) {
    case 'indexed':
      return `indexed  ${file.path} (${n(s.chunks)} passage${s.chunks === 1 ? '' : 's'}${s.vectors ? ', vectors' : ''})`;
    case 'failed':
      return `failed   ${file.path}: ${withoutPath(s.reason, file.path)}${s.attempts > 1 ? ` (${s.attempts} attempts)` : ''}`;
    case 'skipped':
      return `skipped  ${file.path}: ${withoutPath(s.reason, file.path)}`;
  }
}

function statusJson(status: LibraryStatus): Record<string, unknown> {
  return {
    indexed: status.indexed,
    failed: status.failed,
    skipped: status.skipped,
    pending: status.pending,
    chunks: status.chunks,
    embeddingModel: status.embeddingModel ?? null,
    files: status.files.map(fileEntry),
  };
}

/** `index [folder] [--status] [--retry-failed] [--json]`: exit 1 when some file failed. */
export async function runIndex(request: CliRequest, host: CliAssistant, output: Output, signal: AbortSignal): Promise<ExitCode> {
  const library = requireLibrary(host);
  const status = request.indexStatus
    ? await library.status()
    : await updateLibrary(library, output, signal, { retryFailed: request.retryFailed === true, waitForVectors: true });
  if (request.json) output.json(statusJson(status));
  else if (request.indexStatus) {
    const order = { failed: 0, skipped: 1, indexed: 2 } as const;
    const files = [...status.files].sort((a, b) => order[a.status.state] - order[b.status.state] || a.path.localeCompare(b.path));
    output.markdown([...files.map(fileLine), statusSummary(status)].join('\n'));
  } else {
    for (const f of status.files) if (f.status.state === 'failed') output.terminal.warn(fileLine(f));
    output.markdown(statusSummary(status));
  }
  return status.failed > 0 ? ExitCode.Problems : ExitCode.Ok;
}

/** A search hit as JSON: `{path, page, section, score, text}` (page and section null when unknown). */
export function passageEntry(p: Passage): { path: string; page: number | null; section: string | null; score: number; text: string } {
  return { path: p.path, page: p.page ?? null, section: p.section ?? null, score: p.score, text: p.text };
}

function passageText(p: Passage, rank: number): string {
  const where = [p.path, p.page !== undefined ? `p. ${p.page}` : '', p.section ? `§ ${p.section}` : ''].filter(Boolean).join(', ');
  const text = p.text.replace(/\s+/g, ' ').trim();
  return `${rank}. ${where} (score ${p.score.toFixed(3)})\n   ${text.length > 400 ? `${text.slice(0, 399)}…` : text}`;
}

/** `search <query> [--limit N] [--json]`: exit 1 when nothing matches. */
export async function runSearch(request: CliRequest, host: CliAssistant, output: Output, signal: AbortSignal): Promise<ExitCode> {
  const library = requireLibrary(host);
  await updateLibrary(library, output, signal);
  const passages = await library.search(request.query ?? '', { limit: request.limit ?? SEARCH_LIMIT, signal });
  if (request.json) output.json(passages.map(passageEntry));
  else if (passages.length === 0) output.terminal.warn(`nothing in the library matches "${request.query ?? ''}"`);
  else output.markdown(passages.map((p, i) => passageText(p, i + 1)).join('\n\n'));
  return passages.length === 0 ? ExitCode.Problems : ExitCode.Ok;
}
