/**
 * Runs one parsed command: builds the assistant, runs the command and returns the exit code a script can act on.
 * stdout carries only the result; everything else goes to stderr. Bundled apart from the argument parser
 * (dist/cliRun.js), so that `--version` and `--help` do not evaluate the core.
 */
import { ExitCode } from './exitCodes';
import { explainError } from './errors';
import { isCancellationError } from '../core';
import { createCliAssistant, type CliAssistant } from './host';
import { runCheck, runContext, runStatus } from './inspect';
import { runIndex, runSearch } from './library';
import type { CliRequest } from './program';
import { Output } from './render';
import { runTaskCommand } from './tasks';
import { runBatchCommand } from './batch';
import { Terminal } from './terminal';
import { userSettingsPath } from '../node/settings';

function run(request: CliRequest, host: CliAssistant, output: Output, signal: AbortSignal): Promise<ExitCode> {
  switch (request.command) {
    case 'check':
      return runCheck(request, host, output, signal);
    case 'context':
      return runContext(request, host, output, signal);
    case 'status':
      return runStatus(request, host, output, signal);
    case 'batch':
      return runBatchCommand(request, host, output, signal);
    case 'index':
      return runIndex(request, host, output, signal);
    case 'search':
      return runSearch(request, host, output, signal);
    default:
      return runTaskCommand(request, host, output, signal);
  }
}

/** The shell's convention, 128 + the signal's number: 130 for Ctrl-C, 143 for a termination request. */
function exitFor(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? 143 : ExitCode.Interrupted;
}

export async function runRequest(request: CliRequest): Promise<number> {
  const terminal = new Terminal({ stream: process.stderr, quiet: request.quiet });
  const output = new Output(terminal, process.stdout);

  // Ctrl-C cancels the run through the core (finished parts stay cached, so a re-run resumes); a second one quits.
  const controller = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) process.exit(exitFor(interrupted));
    interrupted = signal;
    terminal.done();
    terminal.info('interrupting… (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that went away (`| head`) is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.Ok);
  });

  let host: CliAssistant | undefined;
  try {
    host = await createCliAssistant(request, process.env, terminal);
    const code = await run(request, host, output, controller.signal);
    return interrupted ? exitFor(interrupted) : code;
  } catch (error) {
    terminal.done();
    if (interrupted || isCancellationError(error)) {
      terminal.error('interrupted; finished parts are cached, so running the command again resumes');
      return exitFor(interrupted ?? 'SIGINT');
    }
    const explained = explainError(error, { userSettingsFile: host?.settings.userSettingsFile ?? userSettingsPath(process.env) });
    terminal.error(explained.message);
    if (request.verbose && error instanceof Error && error.stack) terminal.info(error.stack);
    return explained.exitCode;
  } finally {
    terminal.done();
    host?.assistant.dispose();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
