/** The commands that look without inserting: check (grounding of generated blocks), context (what would be sent), status. */
import { groundingMessage, isCancellationError, type LlmSession } from '../core';
import { ExitCode } from './exitCodes';
import { explainError } from './errors';
import type { CliAssistant } from './host';
import { readNote } from './noteFile';
import type { CliRequest } from './program';
import { sourceEntries, sourceWarnings, type Output } from './render';

export async function runCheck(request: CliRequest, host: CliAssistant, output: Output, signal: AbortSignal): Promise<ExitCode> {
  const note = await readNote(request.target ?? '');
  output.terminal.progress.report('checking figures and quotes against the sources');
  const result = await host.assistant.check(note.document, { signal });
  output.terminal.done();
  const { report } = result;
  const blocks = result.blocks.map((b, i) => {
    const summary = report.blocks[i];
    const unsupported = b.check.items.filter((item) => item.status === 'unsupported');
    return {
      kind: b.block.block.kind,
      line: note.text.slice(0, b.block.block.start).split('\n').length,
      checked: b.check.checked,
      supported: b.check.supported,
      unsupported: unsupported.map((item) => ({
        kind: item.kind,
        text: item.text,
        reason: item.reason ?? 'notFound',
        message: groundingMessage(item, b.block.block.attributes.sources),
      })),
      missingSources: summary?.missingSources ?? b.missing,
    };
  });
  for (const b of blocks) {
    for (const missing of b.missingSources)
      output.terminal.warn(`the ${b.kind} block at line ${b.line} names a source that could not be read: ${missing}`);
  }
  if (blocks.length === 0) output.terminal.info(`${note.path} has no generated blocks to check`);
  if (request.json) {
    output.json({ note: note.path, blocks, unsupported: report.unsupported });
  } else if (blocks.length > 0) {
    const lines = blocks.map((b) => {
      const head = `- ${b.kind} block at line ${b.line}: figures checked ${b.supported}/${b.checked}`;
      // A figure's message starts with the figure; a quote's or a cell's names the text it is about first.
      const line = (u: (typeof b.unsupported)[number]): string =>
        u.kind !== 'quote' && u.kind !== 'cell'
          ? `  - ${u.message}`
          : `  - "${u.text.length > 80 ? `${u.text.slice(0, 79)}…` : u.text}": ${u.message}`;
      return [head, ...b.unsupported.map(line)].join('\n');
    });
    output.markdown(lines.join('\n'));
  }
  return report.unsupported > 0 ? ExitCode.Problems : ExitCode.Ok;
}

export async function runContext(request: CliRequest, host: CliAssistant, output: Output, signal: AbortSignal): Promise<ExitCode> {
  const note = await readNote(request.target ?? '');
  let usableContext: number | undefined = host.config.contextLength > 0 ? host.config.contextLength : undefined;
  let serverProblem: string | undefined;
  if (usableContext === undefined) {
    // The usable context is the server's; without one the preview is still worth printing.
    try {
      usableContext = (await host.assistant.connect(signal, host.config)).info.contextLength;
    } catch (error) {
      if (isCancellationError(error)) throw error;
      serverProblem = explainError(error, { userSettingsFile: host.settings.userSettingsFile }).message;
    }
  }
  // Exactly what the editor's Preview Context opens: the request Ask About Note would send, nothing sent.
  const { collected, text } = await host.assistant.preview(note.document, {
    signal,
    progress: output.terminal.progress,
    ...(usableContext === undefined ? {} : { usableContext }),
  });
  output.terminal.done();
  for (const w of sourceWarnings(collected.sources)) output.terminal.warn(w);
  if (serverProblem) output.terminal.warn(`usable context unknown: ${serverProblem}`);
  if (request.json) {
    output.json({
      note: note.path,
      sources: sourceEntries([collected.note, ...collected.sources]),
      totalTokens: collected.totalTokens,
      usableContext: usableContext ?? null,
      fits: usableContext === undefined ? null : collected.totalTokens + host.config.maxOutputTokens <= usableContext,
      untrusted: collected.untrusted,
    });
    return ExitCode.Ok;
  }
  output.markdown(text);
  return ExitCode.Ok;
}

export async function runStatus(request: CliRequest, host: CliAssistant, output: Output, signal: AbortSignal): Promise<ExitCode> {
  output.terminal.progress.report(
    host.config.endpoint === 'auto' ? 'looking for a model server on the usual local ports' : `connecting to ${host.config.endpoint}`,
  );
  // The server itself is asked (not a session remembered from an earlier command).
  const session: LlmSession = await host.llm.fresh(host.config, signal);
  // The embedding model the library would use (none is not an error: the library then searches by words only).
  const embedder = await host.assistant.embedder(signal, host.config).catch(() => undefined);
  const library = await host.assistant.library.status();
  output.terminal.done();
  const info = session.info;
  const origin = host.settings.origins.endpoint;
  if (request.json) {
    output.json({
      server: { kind: info.kind, version: info.version ?? null, baseUrl: info.baseUrl },
      model: info.model,
      contextLength: info.contextLength,
      contextSource: info.contextSource,
      parallelSlots: info.parallelSlots,
      embeddingModel: embedder?.model ?? null,
      library: {
        indexed: library.indexed,
        failed: library.failed,
        skipped: library.skipped,
        pending: library.pending,
        chunks: library.chunks,
      },
      endpointSetting: { value: host.config.endpoint, from: origin },
    });
    return ExitCode.Ok;
  }
  const contextFrom =
    info.contextSource === 'server'
      ? 'reported by the server'
      : info.contextSource === 'override'
        ? 'from the contextLength setting'
        : 'a conservative guess: the server does not report it';
  const endpoint = `endpoint setting "${host.config.endpoint}", from ${origin === 'default' ? 'the default' : origin}`;
  output.markdown(
    [
      `server: ${info.kind}${info.version ? ` ${info.version}` : ''} at ${info.baseUrl} (${endpoint})`,
      `model: ${info.model}`,
      `usable context: ${info.contextLength.toLocaleString('en')} tokens (${contextFrom})`,
      `parallel slots: ${info.parallelSlots}`,
      `embedding model: ${embedder ? `${embedder.model} (${embedder.dimensions} dimensions)` : 'none (the library searches by words only)'}`,
      `library: ${library.indexed} file(s) indexed, ${library.failed} failed, ${library.skipped} skipped, ${library.chunks} passages` +
        (library.files.length === 0 ? ' (run `research-assistant index` to build it)' : ''),
    ].join('\n'),
  );
  return ExitCode.Ok;
}
