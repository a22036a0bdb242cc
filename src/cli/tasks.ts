/**
 * The inserting commands (summarize, compare, ask, explain, draft): one task run through the façade, the block on
 * stdout, or — with --write — into the note exactly where the editor command puts it (same markers; a re-run
 * replaces its own block and leaves every other byte alone).
 */
import { basename, dirname, extname, join } from 'node:path';
import { type TaskOutcome, applyEdits, type TextEditOp, type NoteDocument, type TaskRequest } from '../core';
import { fileUri } from '../node/files';
import type { CliAssistant } from './host';
import { ExitCode, UsageError } from './exitCodes';
import { NoteChangedError, readNote, writeNote, type NoteFile } from './noteFile';
import type { CliRequest } from './program';
import { requireLibrary, updateLibrary } from './library';
import { sourceEntries, sourceWarnings, unsupportedFigures, type Output } from './render';

const NOTE_EXTENSIONS = new Set(['.md', '.markdown']);

/** Whether `summarize` was given a paper rather than a note. */
export function isPaper(path: string): boolean {
  return !NOTE_EXTENSIONS.has(extname(path).toLowerCase());
}

/**
 * A paper given directly: the core summarizes papers a note links, so the paper is presented as the only link
 * of a note beside it that exists only in memory (never written).
 */
function paperAsNote(path: string): { document: NoteDocument; link: string } {
  const link = `[${basename(path).replace(/[[\]]/g, '')}](<${basename(path)}>)`;
  const text = `${link}\n`;
  const document: NoteDocument = {
    uri: fileUri(join(dirname(path), '.research-assistant-paper.md')),
    version: 1,
    languageId: 'markdown',
    getText: () => text,
  };
  return { document, link };
}

/**
 * The edits as an editor applies them: an offset between the CR and the LF of a line end is the end of that line
 * (an editor position cannot fall inside a line break), and inserted text takes the document's end-of-line sequence
 * (the one most of its lines use), so a note with CRLF lines gets a block with CRLF lines, not a mixture.
 */
export function asEditorApplies(text: string, edits: readonly TextEditOp[]): readonly TextEditOp[] {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  const inLineBreak = (offset: number): number => (text[offset - 1] === '\r' && text[offset] === '\n' ? offset - 1 : offset);
  return edits.map((e) => ({
    start: inLineBreak(e.start),
    end: inLineBreak(e.end),
    text: crlf > lf ? e.text.replace(/\r?\n/g, '\r\n') : e.text,
  }));
}

function taskRequest(request: CliRequest, note: NoteDocument, paperLink: string | undefined): TaskRequest {
  const regenerate = request.noCache ? { regenerate: true } : {};
  switch (request.command) {
    case 'summarize': {
      const link = paperLink ?? request.link;
      return link === undefined
        ? { task: 'summarize', note, args: regenerate }
        : { task: 'summarizePaper', note, args: { link, ...regenerate } };
    }
    case 'compare':
      return { task: 'compare', note, args: regenerate };
    case 'ask':
      return { task: request.library ? 'askLibrary' : 'ask', note, args: { question: request.question ?? '', ...regenerate } };
    case 'explain':
      return { task: 'explainTerm', note, args: { term: request.term ?? '', ...regenerate } };
    case 'draft':
      return { task: 'draft', note, args: { heading: request.heading ?? '', ...regenerate } };
    default:
      throw new UsageError(`${request.command} is not a task`);
  }
}

export async function runTaskCommand(request: CliRequest, host: CliAssistant, output: Output, signal: AbortSignal): Promise<ExitCode> {
  const target = request.target ?? '';
  const paper = request.command === 'summarize' && isPaper(target);
  if (paper && request.write)
    throw new UsageError(
      `--write inserts into a markdown note; ${basename(target)} is a paper (print the summary, or summarize it --link from a note)`,
    );
  if (paper && request.link !== undefined) throw new UsageError('--link names a paper linked from a note; give the note, not a paper');

  let note: NoteFile | undefined;
  let document: NoteDocument;
  let paperLink: string | undefined;
  if (paper) {
    // Reading it here gives the same "does not exist" message as for notes before any server is asked.
    await readNote(target).catch((error: unknown) => {
      if ((error as Error).message.endsWith('is not a text file')) return;
      throw error;
    });
    ({ document, link: paperLink } = paperAsNote(target));
  } else {
    note = await readNote(target);
    document = note.document;
  }

  // The library is brought up to date first: a question is answered from what the workspace holds now.
  if (request.library) await updateLibrary(requireLibrary(host), output, signal);
  let received = 0;
  const outcome: TaskOutcome = await host.assistant.run(taskRequest(request, document, paperLink), {
    signal,
    progress: output.terminal.progress,
    sink: (delta) => {
      // A count per chunk on a bar; in a log, one line.
      received += delta.length;
      output.terminal.progress.report(
        output.terminal.live ? `receiving the answer: ${received.toLocaleString('en')} characters` : 'receiving the answer',
      );
    },
  });
  output.terminal.done();

  let problems = false;
  const warnings = [...sourceWarnings(outcome.sources), ...outcome.result.warnings];
  if (outcome.result.finishReason === 'length') {
    warnings.push('the answer was cut off at the output limit (researchAssistant.maxOutputTokens); the block is marked incomplete');
    problems = true;
  }
  const unsupported = unsupportedFigures(outcome.grounding);
  if (unsupported.length > 0) {
    warnings.push(
      `figures checked: ${outcome.grounding.supported}/${outcome.grounding.checked}; not found in the sources: ${unsupported.join(', ')}`,
    );
    problems = true;
  }
  for (const w of warnings) output.terminal.warn(w);

  let written: string | undefined;
  if (request.write && note) {
    try {
      await writeNote(note, applyEdits(note.text, asEditorApplies(note.text, outcome.edits.edits)));
      written = note.path;
      const replaced = outcome.edits.edits.some((e) => e.end > e.start);
      output.terminal.info(`${replaced ? 'replaced the block in' : 'inserted the block into'} ${note.path}`);
    } catch (error) {
      if (!(error instanceof NoteChangedError)) throw error;
      // Nothing is lost: the block goes to stdout instead, and a re-run is answered from the cache.
      const message = `${error.message}; the block is on stdout, and a re-run writes it without asking the model again`;
      output.terminal.warn(message);
      warnings.push(message);
      problems = true;
    }
  }
  output.terminal.info(
    outcome.result.fromCache
      ? `from the cache (no request); model ${outcome.result.model}`
      : `${outcome.result.requests} request(s), ${outcome.result.parts} part(s); model ${outcome.result.model}`,
  );

  if (request.json) {
    output.json({
      task: outcome.task,
      block: outcome.block,
      sources: sourceEntries(outcome.sources),
      model: outcome.result.model,
      figures: { checked: outcome.grounding.checked, supported: outcome.grounding.supported, unsupported },
      warnings,
      fromCache: outcome.result.fromCache,
      requests: outcome.result.requests,
      finishReason: outcome.result.finishReason,
      written: written ?? null,
    });
  } else if (!written) {
    output.markdown(outcome.block);
  }
  return problems ? ExitCode.Problems : ExitCode.Ok;
}
