/** Prompt templates from folders on disk: the built-in `prompts/` folder and the workspace's override folder. */
import { existsSync, promises as fsp } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { throwIfAborted, type PromptFile, type PromptSource } from '../core';
import { filePath } from './files';

/** The `*.md` templates of a folder, by name; none when the folder does not exist. */
export async function readPromptFolder(dir: string, label: (name: string) => string = (n) => n): Promise<PromptFile[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
  const templates = names.filter((n) => n.endsWith('.md') && n.toLowerCase() !== 'readme.md').sort();
  return Promise.all(templates.map(async (n) => ({ file: label(n), text: await fsp.readFile(join(dir, n), 'utf8') })));
}

/**
 * The built-in templates shipped with the extension and the CLI: `prompts/` at the package root, found from a
 * bundle in dist/ and from the sources in src/node alike.
 */
export function defaultBuiltinPromptsDir(): string {
  for (let dir = __dirname; ;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'prompts'))) return join(dir, 'prompts');
    const parent = dirname(dir);
    if (parent === dir) return join(__dirname, '..', 'prompts');
    dir = parent;
  }
}

export class NodePromptSource implements PromptSource {
  private builtinFiles: Promise<readonly PromptFile[]> | undefined;

  /**
   * @param builtinDir the built-in templates' folder
   * @param workspaceFolders the workspace folders (paths) an override folder is resolved against
   */
  constructor(
    private readonly builtinDir: string = defaultBuiltinPromptsDir(),
    private readonly workspaceFolders: readonly string[] = [],
  ) {}

  builtins(): Promise<readonly PromptFile[]> {
    this.builtinFiles ??= readPromptFolder(this.builtinDir, (n) => `prompts/${n}`);
    return this.builtinFiles;
  }

  async overrides(folder: string, noteUri: string | undefined, signal?: AbortSignal): Promise<readonly PromptFile[]> {
    if (signal) throwIfAborted(signal);
    if (folder.trim() === '') return [];
    const roots = this.workspaceFolders.map((f) => resolve(f));
    const notePath = noteUri ? filePath(noteUri) : undefined;
    const home = (notePath && roots.find((r) => notePath === r || notePath.startsWith(r.endsWith(sep) ? r : r + sep))) ?? roots[0];
    if (!home && !isAbsolute(folder)) return [];
    const dir = resolve(home ?? '/', folder);
    return readPromptFolder(dir, (n) => {
      const path = join(dir, n);
      return home ? relative(home, path) : path;
    });
  }
}
