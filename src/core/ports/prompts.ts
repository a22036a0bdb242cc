import type { PromptFile } from '../prompts/promptLibrary';

/**
 * Where prompt templates come from, supplied by the host: the built-in templates it ships (the extension's or
 * the CLI's `prompts/` folder) and the user's overrides (the `promptsFolder` setting, inside the workspace).
 * Reading a folder is the host's part; parsing, overriding by id and reporting bad files is PromptLibrary's.
 */
export interface PromptSource {
  /** The built-in templates. A host reads them once: they cannot change while it runs. */
  builtins(): Promise<readonly PromptFile[]>;
  /**
   * The user's templates: the `*.md` files (README.md excepted) of `folder`, resolved against the workspace
   * folder of `noteUri` (else the first workspace folder). None when the folder does not exist. The caller
   * decides whether the workspace is trusted enough to read them.
   */
  overrides(folder: string, noteUri: string | undefined, signal?: AbortSignal): Promise<readonly PromptFile[]>;
}
