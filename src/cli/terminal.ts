/**
 * stderr: progress and messages, never stdout (which carries only the result). On a terminal, progress is a bar
 * (cli-progress) with messages printed above it; elsewhere (a pipe, a log file, cron) it is plain lines.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { ProgressReporter } from '../core';
import { BIN } from './program';

export interface TerminalOptions {
  readonly stream: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  /** No progress or notices; warnings and errors are still printed. */
  readonly quiet: boolean;
}

export class Terminal {
  private multibar: MultiBar | undefined;
  private bar: SingleBar | undefined;
  private lastLine = '';
  private readonly tty: boolean;

  constructor(private readonly options: TerminalOptions) {
    this.tty = options.stream.isTTY === true && process.env.TERM !== 'dumb';
  }

  /** True when progress is drawn as a bar (stderr is a terminal): fine-grained updates are worth sending. */
  get live(): boolean {
    return this.tty && !this.options.quiet;
  }

  /** Progress of the running command: a bar on a terminal, otherwise one line per new message. */
  readonly progress: ProgressReporter = {
    report: (message: string, fraction?: number) => {
      if (this.options.quiet) return;
      if (!this.tty) {
        // A share only when it says something (the core reports 0 at the start of a step).
        const line = fraction === undefined || fraction <= 0 || fraction >= 1 ? message : `${message} (${Math.round(fraction * 100)}%)`;
        if (line !== this.lastLine) this.write(`${line}\n`);
        this.lastLine = line;
        return;
      }
      const value = fraction === undefined ? undefined : Math.round(Math.min(1, Math.max(0, fraction)) * 100);
      if (!this.bar) {
        this.multibar = new MultiBar({
          stream: this.options.stream,
          format: '{bar} {percentage}% | {duration_formatted} | {message}',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: true,
          stopOnComplete: false,
          linewrap: false,
          fps: 12,
          autopadding: true,
        });
        this.bar = this.multibar.create(100, value ?? 0, { message });
      } else if (value === undefined) {
        this.bar.update({ message });
      } else {
        this.bar.update(value, { message });
      }
    },
  };

  /** A notice (what was read, what was skipped and why): not shown with --quiet. */
  info(message: string): void {
    if (!this.options.quiet) this.line(message);
  }

  /** Something the user should know even with --quiet (a refused link, unsupported figures). */
  warn(message: string): void {
    this.line(`warning: ${message}`);
  }

  error(message: string): void {
    this.line(`${BIN}: ${message}`);
  }

  /** Removes the progress bar (before the result is printed, and before exit). */
  done(): void {
    // Messages logged since the last redraw are buffered by the bar: flush them before it goes.
    this.multibar?.update();
    this.multibar?.stop();
    this.multibar = undefined;
    this.bar = undefined;
  }

  private line(text: string): void {
    if (this.multibar) this.multibar.log(`${text}\n`);
    else this.write(`${text}\n`);
  }

  private write(text: string): void {
    this.options.stream.write(text);
  }
}
