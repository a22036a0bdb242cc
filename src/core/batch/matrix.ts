/**
 * The literature matrix: one note with a row per finished paper and the chosen columns, made by Compare — cells
 * extracted as JSON with a supporting quote each, rendered into a table by code, cached per paper and column (so
 * the batch, which extracts each paper's cells as it reads it, finds them all cached here). Papers already in the
 * matrix keep their place and a changed paper's row is replaced in it; new papers are appended. Only our block is
 * rewritten: the user's text around it stays as it was.
 */
import type { Assistant } from '../assistant';
import { findOwnBlock } from '../insertion/markers';
import type { NoteDocument } from '../ports/document';
import { joinUri, type BatchFiles } from './files';
import { pdfLink, withOwnBlock } from './paperNote';

export const MATRIX_FILE = 'Literature matrix.md';
/** The target Compare gives a table of every paper of its note: our block in the matrix note. */
const MATRIX_TARGET = 'papers';

export interface MatrixDeps {
  readonly assistant: Assistant;
  readonly files: BatchFiles;
}

export interface MatrixRequest {
  /** The finished papers (PDF URIs). */
  readonly papers: readonly string[];
  readonly columns: readonly string[];
  readonly notesFolder: string;
  readonly maxParallelRequests?: number;
  readonly signal: AbortSignal;
}

/** The PDF link targets of the table's rows, in row order (the first cell of each row is the paper's link). */
export function matrixRowTargets(block: string): string[] {
  const targets: string[] = [];
  for (const line of block.split('\n')) {
    const m = /^\|\s*\[[^\]]*\]\(<([^>]+)>\)/.exec(line);
    if (m?.[1]) targets.push(m[1]);
  }
  return targets;
}

/** The papers in matrix order: those already in the table where they are, then the new ones in the order given. */
export function matrixOrder(existingTargets: readonly string[], links: ReadonlyMap<string, string>): string[] {
  const byTarget = new Map([...links].map(([uri, link]) => [/\(<([^>]+)>\)/.exec(link)?.[1] ?? link, uri]));
  const kept = existingTargets.flatMap((t) => byTarget.get(t) ?? []);
  const keptSet = new Set(kept);
  return [...kept, ...[...links.keys()].filter((uri) => !keptSet.has(uri))];
}

/** Writes (or updates) the matrix note; returns its URI and the requests it took. */
export async function updateMatrix(deps: MatrixDeps, request: MatrixRequest): Promise<{ uri: string; requests: number }> {
  const { notesFolder, signal } = request;
  const uri = joinUri(notesFolder, MATRIX_FILE);
  const existing = (await deps.files.readText(uri, signal)) ?? '';
  const links = new Map(request.papers.map((p) => [p, pdfLink(notesFolder, p)]));
  const previous = findOwnBlock(existing, 'comparison', MATRIX_TARGET);
  const order = matrixOrder(previous ? matrixRowTargets(previous.content) : [], links);
  // Compare reads the papers its note links: a note that exists only in memory, one link per row.
  const text = order.map((p) => `- ${links.get(p) ?? ''}`).join('\n') + '\n';
  const note: NoteDocument = { uri, version: 1, languageId: 'markdown', getText: () => text };
  const outcome = await deps.assistant.run(
    { task: 'compare', note, args: { columns: request.columns } },
    { signal, background: true, ...(request.maxParallelRequests ? { maxParallelRequests: request.maxParallelRequests } : {}) },
  );
  const header = existing === '' ? '# Literature matrix\n\n' : '';
  await deps.files.writeText(uri, withOwnBlock(header + existing, 'comparison', MATRIX_TARGET, outcome.block));
  return { uri, requests: outcome.result.requests };
}
