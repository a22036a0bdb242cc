/** What the assistant tests share: the built-in templates as the hosts load them, and a short paper to read. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AssistantPorts, PromptFile, PromptSource } from '../../../src/core';
import type { InMemoryFiles } from '../sources/inMemoryWorkspace';

const promptsDir = join(import.meta.dirname, '../../../prompts');

/** The repository's built-in templates (prompts/*.md without the README), read once. */
export const BUILTIN_PROMPTS: readonly PromptFile[] = readdirSync(promptsDir)
  .filter((f) => f.endsWith('.md') && f !== 'README.md')
  .map((f) => ({ file: `prompts/${f}`, text: readFileSync(join(promptsDir, f), 'utf8') }));

/** A prompt source of the built-ins and no workspace overrides. */
export const builtinPromptSource: PromptSource = {
  builtins: () => Promise.resolve(BUILTIN_PROMPTS),
  overrides: () => Promise.resolve([]),
};

/** A one-result paper (as paper.md): its figures are 12% and n = 24. */
export const PAPER = '# Sleep study\n\n## Results\n\nSlow-wave sleep improved recall by 12% (n = 24) in the treatment group.\n';

/** The assistant's files port over an in-memory workspace. */
export function filesPortOf(files: InMemoryFiles): AssistantPorts['files'] {
  return {
    readBytes: (uri) => files.readBytes(uri),
    readText: (uri) => files.readText(uri),
    stat: (uri) => files.stat(uri),
    folders: () => files.folders(),
    files: () => files.filesInWorkspace(),
  };
}
