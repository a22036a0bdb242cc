import * as vscode from 'vscode';
import { AssistantError, isAssistantError, isCancellationError, type AssistantErrorCode, type Logger } from '../../core';
import { Commands, CONFIG_SECTION } from '../constants';

/** Internal (not contributed): the last error shown, `{ code, message }`, so the integration tests can read it. */
export const LAST_ERROR_COMMAND = 'researchAssistant.internal.lastError';
let lastShown: { readonly code: AssistantErrorCode; readonly message: string } | undefined;

export function registerLastErrorCommand(): vscode.Disposable {
  return vscode.commands.registerCommand(LAST_ERROR_COMMAND, () => lastShown);
}

type Action = 'openSettings' | 'selectModel' | 'showLog' | 'retry' | 'howToStart';

interface ErrorPresentation {
  readonly message: string;
  readonly actions: readonly Action[];
}

/** Localised message and actions per error code. The detail (server text, file name) comes from the error's data. */
function present(code: AssistantErrorCode, error: AssistantError): ErrorPresentation {
  const d = error.data;
  const detail = typeof d.detail === 'string' ? d.detail : error.message;
  switch (code) {
    case 'EndpointUnreachable':
      if (d.detail === 'not a model server') {
        return {
          message: vscode.l10n.t(
            'Something answered at {0}, but it is not an OpenAI-compatible model server. Check the port in the endpoint setting.',
            String(d.probed ?? d.endpoint ?? ''),
          ),
          actions: ['openSettings', 'showLog'],
        };
      }
      return {
        message: vscode.l10n.t(
          'No model server answered at {0}. Start Ollama, LM Studio, vLLM or llama-server, or set the endpoint.',
          String(d.probed ?? d.endpoint ?? 'the configured endpoint'),
        ),
        actions: ['openSettings', 'howToStart', 'showLog'],
      };
    case 'RemoteEndpointRefused':
      return {
        message: vscode.l10n.t(
          'The endpoint {0} is not on this machine. Your notes stay local unless you allow remote endpoints in your user settings.',
          String(d.endpoint ?? ''),
        ),
        actions: ['openSettings'],
      };
    case 'Auth':
      return {
        message: vscode.l10n.t('The model server refused the API key ({0}). Set it with "Research: Set API Key".', detail),
        actions: ['showLog'],
      };
    case 'ModelNotFound':
      return {
        message: vscode.l10n.t('The model "{0}" is not available on the server.', String(d.model ?? '')),
        actions: ['selectModel', 'showLog'],
      };
    case 'NoModels':
      return {
        message: vscode.l10n.t('The server lists no models. Load or pull a model (for example qwen3:4b-instruct-2507) and try again.'),
        actions: ['showLog', 'retry'],
      };
    case 'ContextTooLarge':
      return { message: vscode.l10n.t("The input does not fit the model's context ({0}).", detail), actions: ['openSettings', 'showLog'] };
    case 'Busy':
      return {
        message: vscode.l10n.t('The model server is busy or still loading the model. Try again in a moment.'),
        actions: ['retry', 'showLog'],
      };
    case 'UnsupportedParameter':
      return { message: vscode.l10n.t('The model server rejected a request option: {0}', detail), actions: ['showLog'] };
    case 'ServerError':
      return { message: vscode.l10n.t('The model server failed: {0}', detail), actions: ['retry', 'showLog'] };
    case 'SilentFailure':
      return {
        message: vscode.l10n.t('The model server ended the answer without finishing it ({0}). Nothing was inserted.', detail),
        actions: ['retry', 'showLog'],
      };
    case 'BadResponse':
      return { message: vscode.l10n.t("The model's answer could not be used: {0}", detail), actions: ['retry', 'showLog'] };
    case 'Timeout':
      return {
        message: vscode.l10n.t('The model server stopped sending text ({0}).', detail),
        actions: ['retry', 'openSettings', 'showLog'],
      };
    case 'InvalidTemplate':
      return { message: vscode.l10n.t('Prompt template error: {0}', detail), actions: ['showLog'] };
    case 'SourceUnreadable':
      return { message: unreadableMessage(error), actions: ['showLog'] };
    case 'NoInput':
      return { message: noInputMessage(error) ?? vscode.l10n.t('Nothing to work on: {0}', detail), actions: [] };
    case 'Untrusted':
      return { message: vscode.l10n.t('This workspace is not trusted, so linked files and workspace prompts are not read.'), actions: [] };
    case 'AlreadyRunning':
      return { message: vscode.l10n.t('This command is already running on this note.'), actions: [] };
    case 'Cancelled':
      return { message: vscode.l10n.t('Cancelled.'), actions: [] };
  }
}

/** Input problems found before connecting, by the reason the core gives. */
function noInputMessage(error: AssistantError): string | undefined {
  switch (error.data.reason) {
    case 'emptyNoteSummary':
      return vscode.l10n.t('The note is empty: there is nothing to summarize. Write some text first, or select the part to summarize.');
    case 'emptyNote':
      return vscode.l10n.t('The note has no text and links no readable paper: there is nothing to send to the model.');
    case 'emptySelection':
      return vscode.l10n.t('The selection holds no text. Select the text to work on.');
    case 'noPapers':
      return vscode.l10n.t(
        'The note links no papers to compare. Each row of the table is a linked PDF or a citation such as [@key]; linked notes are not rows.',
      );
    case 'noPapersInSelection':
      return vscode.l10n.t('The selection links no papers to compare (PDFs or citations such as [@key]).');
    default:
      return undefined;
  }
}

/** A linked file that could not be read, named as the note links it (a missing file with its line). */
function unreadableMessage(error: AssistantError): string {
  const d = error.data;
  const file = String(d.file ?? '');
  const main =
    d.status === 'missing' && typeof d.line === 'number'
      ? vscode.l10n.t('{0} (linked on line {1}) was not found. Fix the link or add the file.', file, d.line)
      : vscode.l10n.t('Could not read {0}: {1}', file, typeof d.detail === 'string' ? d.detail : error.message);
  const others = typeof d.others === 'number' ? d.others : 0;
  return others > 0 ? `${main} ${vscode.l10n.t('{0} more linked file(s) could not be read either.', others)}` : main;
}

function actionLabel(action: Action): string {
  switch (action) {
    case 'openSettings':
      return vscode.l10n.t('Open Settings');
    case 'selectModel':
      return vscode.l10n.t('Select Model');
    case 'showLog':
      return vscode.l10n.t('Show Log');
    case 'retry':
      return vscode.l10n.t('Retry');
    case 'howToStart':
      return vscode.l10n.t('How to start Ollama');
  }
}

/**
 * Logs the error (stack to the log only) and shows a localised message with actions.
 * Cancellation is never shown as an error.
 */
export async function showAssistantError(error: unknown, logger: Logger, retry?: () => Thenable<unknown>): Promise<void> {
  if (isCancellationError(error)) {
    logger.info('Cancelled by the user');
    return;
  }
  const assistantError = isAssistantError(error)
    ? error
    : new AssistantError('ServerError', error instanceof Error ? error.message : String(error), { cause: error });
  logger.error(error instanceof Error ? error : String(error));
  const { message, actions } = present(assistantError.code, assistantError);
  lastShown = { code: assistantError.code, message };
  const labels = actions.filter((a) => a !== 'retry' || retry !== undefined).map((a) => ({ a, label: actionLabel(a) }));
  const chosen = await vscode.window.showErrorMessage(message, ...labels.map((l) => l.label));
  const action = labels.find((l) => l.label === chosen)?.a;
  switch (action) {
    case 'openSettings':
      await vscode.commands.executeCommand(
        'workbench.action.openSettings',
        `@ext:local-research-assistant.local-research-assistant ${CONFIG_SECTION}`,
      );
      break;
    case 'selectModel':
      await vscode.commands.executeCommand(Commands.selectModel);
      break;
    case 'showLog':
      await vscode.commands.executeCommand(Commands.showLog);
      break;
    case 'retry':
      await retry?.();
      break;
    case 'howToStart':
      await vscode.env.openExternal(vscode.Uri.parse('https://ollama.com/download'));
      break;
    case undefined:
      break;
  }
}
