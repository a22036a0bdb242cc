/** Where prompt templates come from: the built-ins shipped with the host, and the user's prompts folder. */
import type { AssistantConfig } from '../config';
import type { PromptFile, PromptLoadError } from '../prompts/promptLibrary';

export interface PromptSource {
  /** The built-in templates (read once per assistant). */
  builtins(): Promise<readonly PromptFile[]>;
  /** The user's templates for a note (its workspace's prompts folder); none when the workspace is untrusted. */
  user(config: AssistantConfig, noteUri: string | undefined): Promise<readonly PromptFile[]>;
  /** User templates that failed to parse and are ignored: the host tells the user (file and line). */
  reportErrors?(errors: readonly PromptLoadError[]): void;
}
