/**
 * Errors as one line on stderr with the next step, and the exit code a script can act on. The core's errors carry a
 * code and data (probed URLs, file names, server text); the words are the extension's, with command-line next steps
 * (flags and environment variables instead of the Settings editor).
 */
import { isAssistantError } from '../core';
import { SettingsFileError, SettingsValueError, envName } from '../node/settings';
import { ExitCode, InputError, UsageError } from './exitCodes';

export interface Explained {
  readonly message: string;
  readonly exitCode: ExitCode;
}

export interface ExplainContext {
  /** The user settings file, named where a setting must be changed there. */
  readonly userSettingsFile: string;
}

export function explainError(error: unknown, context: ExplainContext): Explained {
  if (error instanceof UsageError || error instanceof SettingsValueError) return { message: error.message, exitCode: ExitCode.Usage };
  if (error instanceof InputError) return { message: error.message, exitCode: ExitCode.Input };
  if (error instanceof SettingsFileError) {
    return { message: `${error.file} ${error.reason} — fix or remove the file and run again`, exitCode: ExitCode.Usage };
  }
  if (!isAssistantError(error)) {
    const text = error instanceof Error ? error.message : String(error);
    return { message: `unexpected error: ${text}`, exitCode: ExitCode.Problems };
  }
  const d = error.data;
  const detail = typeof d.detail === 'string' && d.detail !== '' ? d.detail : error.message;
  const where = String(d.probed ?? d.endpoint ?? 'the configured endpoint');
  const server = (message: string): Explained => ({ message, exitCode: ExitCode.Server });
  const input = (message: string): Explained => ({ message, exitCode: ExitCode.Input });
  switch (error.code) {
    case 'EndpointUnreachable':
      if (d.detail === 'not a model server') {
        return server(
          `something answered at ${where}, but it is not an OpenAI-compatible model server — check the port, or pass --endpoint`,
        );
      }
      return server(
        `no model server answered at ${where} — start Ollama with \`ollama serve\` (or LM Studio, vLLM, llama-server), or pass --endpoint URL`,
      );
    case 'RemoteEndpointRefused':
      return server(
        `the endpoint ${String(d.endpoint ?? '')} is not on this machine, and your notes stay local unless you allow it: ` +
          `set "researchAssistant.allowRemoteEndpoint": true in ${context.userSettingsFile} (or ${envName('allowRemoteEndpoint')}=true)`,
      );
    case 'Auth':
      return server(`the model server refused the API key (${detail}) — set it in the RESEARCH_ASSISTANT_API_KEY environment variable`);
    case 'ModelNotFound':
      return server(`the model "${String(d.model ?? '')}" is not available on the server — pass --model with one it serves`);
    case 'NoModels':
      return server('the server lists no models — load or pull one (for example `ollama pull qwen3:4b-instruct-2507`) and run again');
    case 'Busy':
      return server('the model server is busy or still loading the model — try again in a moment');
    case 'UnsupportedParameter':
      return server(`the model server rejected a request option: ${detail}`);
    case 'ServerError':
      return server(`the model server failed: ${detail}`);
    case 'SilentFailure':
      return server(`the model server ended the answer without finishing it (${detail}); nothing was written — run again`);
    case 'BadResponse':
      return server(`the model's answer could not be used: ${detail} — run again, or try another model`);
    case 'Timeout':
      return server(`the model server stopped sending text (${detail}) — run again, or raise researchAssistant.idleTimeoutSeconds`);
    case 'ContextTooLarge':
      return input(`the input does not fit the model's context (${detail}) — load the model with a larger context, or shorten the note`);
    case 'InvalidTemplate':
      return input(`prompt template error: ${detail}`);
    case 'SourceUnreadable':
      return input(`could not read ${String(d.file ?? '')}: ${detail}`);
    case 'NoInput':
      return input(`nothing to work on: ${detail}`);
    case 'Untrusted':
      return input('this workspace is not trusted, so linked files and workspace prompts are not read');
    case 'AlreadyRunning':
      return { message: 'this command is already running on this note', exitCode: ExitCode.Problems };
    case 'Cancelled':
      return { message: 'interrupted; cached parts are kept, so a re-run resumes', exitCode: ExitCode.Interrupted };
  }
  return { message: error.message, exitCode: ExitCode.Problems };
}
