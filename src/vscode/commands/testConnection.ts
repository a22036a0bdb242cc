import * as vscode from 'vscode';
import { isAssistantError, serverPresentation, type ServerInfo } from '../../core';
import { Commands } from '../constants';
import type { ExtensionServices } from '../services';
import { LOW_CONTEXT_TOKENS, raiseContextHint } from '../ui/serverLabels';
import type { Command } from './command';

/** What Test Connection found; returned to callers (integration tests) and written to the log. */
export interface ConnectionReport extends ServerInfo {
  readonly firstTokenMs: number;
  readonly totalMs: number;
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
  /** What the notification says (also computed when quiet), and the lines written to the log. */
  readonly shown?: ConnectionMessage;
}

export interface ConnectionMessage {
  readonly severity: 'info' | 'warning';
  /** One short line: a notification is cut off after about a hundred characters. */
  readonly message: string;
  readonly details: readonly string[];
}

export interface TestConnectionArgs {
  /** No dialogs (tests): no information message, and a failure is returned as `{ error }` instead of shown. */
  readonly quiet?: boolean;
}

export interface ConnectionFailure {
  readonly error: { readonly code: string; readonly message: string };
}

/**
 * Research: Test Connection: detects the server afresh, then sends a tiny chat to measure the time to first token.
 * Shows kind, version, model, usable context and time to first token; warns when the context is below 16k.
 */
export class TestConnectionCommand implements Command {
  readonly id = Commands.testConnection;

  constructor(private readonly services: ExtensionServices) {}

  async execute(args?: TestConnectionArgs): Promise<ConnectionReport | ConnectionFailure> {
    if (args?.quiet !== true) return this.run(false);
    try {
      return await this.run(true);
    } catch (error) {
      this.services.logger.warn(`Test Connection failed: ${error instanceof Error ? error.message : String(error)}`);
      return {
        error: {
          code: isAssistantError(error) ? error.code : 'ServerError',
          message: error instanceof Error ? error.message : String(error),
        },
      };
    }
  }

  private async run(quiet: boolean): Promise<ConnectionReport> {
    // The connection settings are machine-wide: no note involved.
    const config = this.services.config(null);
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing the model server…'), cancellable: true },
      async (_progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        try {
          const session = await this.services.llm.reconnect(config, controller.signal);
          const result = await session.complete(
            {
              messages: [
                { role: 'system', content: 'You are a connection test. Reply with the single word OK.' },
                { role: 'user', content: 'Say OK.' },
              ],
              maxTokens: 16,
              temperature: 0,
            },
            controller.signal,
          );
          const info = session.info;
          return {
            kind: info.kind,
            version: info.version,
            baseUrl: info.baseUrl,
            model: info.model,
            contextLength: info.contextLength,
            contextSource: info.contextSource,
            parallelSlots: info.parallelSlots,
            exactTokenCount: info.exactTokenCount,
            firstTokenMs: result.timings.firstTokenMs,
            totalMs: result.timings.totalMs,
            warnings: result.warnings,
            notes: session.notes,
          } satisfies ConnectionReport;
        } finally {
          sub.dispose();
        }
      },
    );
    const shown = this.presentation(report);
    this.services.logger.info(`Test Connection: ${JSON.stringify(report)}`);
    for (const line of shown.details) this.services.logger.info(`Test Connection: ${line}`);
    if (!quiet) this.show(shown);
    return { ...report, shown };
  }

  /**
   * A notification is one line and gets cut off: it names the server, the model and the verdict; the rest
   * (address, version, context source, notes, warnings) goes to the log, one click away.
   */
  private presentation(report: ConnectionReport): ConnectionMessage {
    const server = serverPresentation(report.kind);
    const low = report.contextLength < LOW_CONTEXT_TOKENS;
    const extra = [...report.notes, ...report.warnings];
    const message = vscode.l10n.t(
      'Connected to {0} ({1}): {2} tokens of context, first token after {3} ms.',
      server.displayName,
      report.model,
      report.contextLength.toLocaleString(),
      Math.round(report.firstTokenMs),
    );
    const details = [
      vscode.l10n.t('{0} {1} at {2}', server.displayName, report.version ?? '', report.baseUrl),
      vscode.l10n.t('Model: {0}', report.model),
      vscode.l10n.t('Usable context: {0} tokens ({1})', report.contextLength, report.contextSource),
      vscode.l10n.t('First token after {0} ms, reply after {1} ms', Math.round(report.firstTokenMs), Math.round(report.totalMs)),
      ...(low ? [raiseContextHint(server)] : []),
      ...extra,
    ];
    return { severity: low || extra.length > 0 ? 'warning' : 'info', message, details };
  }

  private show(shown: ConnectionMessage): void {
    const showLog = vscode.l10n.t('Show Details');
    const notify = shown.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void notify(shown.message, showLog).then((choice) => {
      if (choice === showLog) this.services.channel.show(true);
    });
  }
}
