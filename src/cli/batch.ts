/**
 * `research-assistant batch <folder>`: every PDF under the folder into a note of its own and a row of the literature
 * matrix, through the core's batch runner and its queue beside the notes (so an interrupted or killed run resumes,
 * and a repeated one skips unchanged papers). Progress on stderr; the summary on stdout; exit 1 with the list of
 * failed papers and their reasons when any failed.
 */
import { promises as fsp } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { runBatch, type BatchSummary } from '../core';
import { NodeBatchFiles } from '../node/batchQueueStore';
import { filePath, fileUri } from '../node/files';
import { ExitCode, InputError, UsageError } from './exitCodes';
import type { CliAssistant } from './host';
import type { CliRequest } from './program';
import type { Output } from './render';

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The PDFs under `folder` (sorted, so runs read them in the same order), leaving out hidden folders and the notes folder. */
export async function listPapers(folder: string, notesFolder: string): Promise<string[]> {
  const stat = await fsp.stat(folder).catch(() => undefined);
  if (!stat) throw new InputError(`${folder} does not exist`);
  if (!stat.isDirectory()) throw new UsageError(`${folder} is not a folder: batch reads a folder of papers`);
  const names = await fsp.readdir(folder, { recursive: true });
  return names
    .filter((name) => /\.pdf$/i.test(name) && !name.split(sep).some((part) => part.startsWith('.')))
    .map((name) => join(folder, name))
    .filter((path) => !inside(notesFolder, path))
    .sort();
}

function summaryText(summary: BatchSummary, workspace: string): string {
  const rel = (uri: string): string => relative(workspace, filePath(uri));
  const lines = [
    `${summary.read} read, ${summary.unchanged} unchanged, ${summary.failures.length} failed of ${summary.total} papers` +
      ` (${summary.requests} request(s))${summary.cancelled ? ' — interrupted' : ''}`,
  ];
  if (summary.notes.length > 0) lines.push('', 'Notes:', ...summary.notes.map((n) => `- ${rel(n)}`));
  if (summary.matrix) lines.push('', `Matrix: ${rel(summary.matrix)}`);
  if (summary.failures.length > 0) lines.push('', 'Failed:', ...summary.failures.map((f) => `- ${f.name}: ${f.reason}`));
  return lines.join('\n');
}

export async function runBatchCommand(request: CliRequest, host: CliAssistant, output: Output, signal: AbortSignal): Promise<ExitCode> {
  const folder = request.target ?? request.workspace;
  const { workspace } = request;
  if (!inside(workspace, folder))
    throw new UsageError(`${folder} is outside the workspace ${workspace}: run from the folder that holds it, or give --workspace`);
  const notesFolder = request.out ?? join(workspace, host.config.batchNotesFolder);
  const papers = await listPapers(folder, notesFolder);
  if (papers.length === 0) throw new InputError(`${folder} holds no PDF`);
  output.terminal.info(`${papers.length} paper(s) in ${relative(workspace, folder) || '.'}; notes in ${relative(workspace, notesFolder)}`);

  const summary = await runBatch(
    { assistant: host.assistant, files: new NodeBatchFiles(), folders: [fileUri(workspace)], logger: host.logger },
    {
      papers: papers.map(fileUri),
      notesFolder: fileUri(notesFolder),
      columns: host.config.compareColumns,
      retryFailed: request.retryFailed === true,
      concurrency: host.config.concurrency,
      signal,
      onProgress: (p) => output.terminal.progress.report(p.text, p.total > 0 ? p.finished / p.total : undefined),
    },
  );
  output.terminal.done();
  for (const f of summary.failures) output.terminal.warn(`${f.name}: ${f.reason}`);
  if (request.json) {
    output.json({
      total: summary.total,
      read: summary.read,
      unchanged: summary.unchanged,
      requests: summary.requests,
      notes: summary.notes.map(filePath),
      matrix: summary.matrix ? filePath(summary.matrix) : null,
      failures: summary.failures.map((f) => ({ file: f.name, reason: f.reason, permanent: f.permanent })),
      cancelled: summary.cancelled,
    });
  } else {
    output.markdown(summaryText(summary, workspace));
  }
  if (summary.cancelled) return ExitCode.Interrupted;
  return summary.failures.length > 0 ? ExitCode.Problems : ExitCode.Ok;
}
