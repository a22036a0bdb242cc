import * as vscode from 'vscode';
// The core's activation entry, not '../../core': this file is part of the activation bundle, and the core index pulls
// in the libraries (markdown-it, openai, yaml) that are loaded only with the features (src/vscode/lazy.ts).
import { redact, type Logger } from '../../core/activation';
import { OUTPUT_CHANNEL_NAME } from '../constants';

function format(args: unknown[]): unknown[] {
  return args.map((a) => (typeof a === 'string' ? redact(a) : a instanceof Error ? redact(a.stack ?? a.message) : redact(safeJson(a))));
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** One LogOutputChannel for the extension; "Developer: Set Log Level" controls it, no setting of ours. */
export function createVsCodeLogger(): { logger: Logger; channel: vscode.LogOutputChannel } {
  const channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  const logger: Logger = {
    trace: (m, ...a) => channel.trace(redact(m), ...format(a)),
    debug: (m, ...a) => channel.debug(redact(m), ...format(a)),
    info: (m, ...a) => channel.info(redact(m), ...format(a)),
    warn: (m, ...a) => channel.warn(redact(m), ...format(a)),
    error: (m, ...a) => channel.error(typeof m === 'string' ? redact(m) : redact(m.stack ?? m.message), ...format(a)),
  };
  return { logger, channel };
}
