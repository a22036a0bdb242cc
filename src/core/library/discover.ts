/**
 * Which files belong to the library: PDFs, markdown and text notes under the workspace folders that no
 * `.gitignore`, host exclusion (VS Code's `files.exclude`) or library exclude glob leaves out, narrowed to the
 * library include globs when any are set; plus the PDFs the bibliography attaches, wherever they are (a Zotero
 * storage folder sits outside the workspace, and the user's own bibliography names them).
 */
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch/posix';
import { isCancellationError, throwIfAborted } from '../errors';
import type { FileReader, WorkspaceIndex } from '../ports/files';
import { kindOf } from '../sources/kinds';
import type { SourceKind } from '../sources/types';
import { isInside, uriKey, workspaceRelative } from '../sources/uri';

/** The kinds of file the library reads: papers and notes (not bibliographies, TeX or HTML pages). */
export type LibraryKind = Extract<SourceKind, 'pdf' | 'markdown' | 'text'>;

export interface LibraryScope {
  /** Globs relative to a workspace folder; when any are set, only matching files belong. */
  readonly include: readonly string[];
  /** Globs relative to a workspace folder (the library's own exclusions). */
  readonly exclude: readonly string[];
  /** The host's exclusions (VS Code `files.exclude`), same form. */
  readonly hostExclude?: readonly string[];
}

export interface LibraryFile {
  readonly uri: string;
  readonly path: string;
  readonly kind: LibraryKind;
}

export interface ExcludedFile {
  readonly uri: string;
  readonly path: string;
  /** Why, naming the rule ("excluded by .gitignore", "excluded by researchAssistant.library.exclude"). */
  readonly reason: string;
}

/** A file's place in the library: in, left out (with why), or not a library file at all. */
export type Verdict = { readonly in: LibraryFile } | { readonly out: ExcludedFile } | undefined;

export function libraryKind(uri: string): LibraryKind | undefined {
  const kind = kindOf(uri);
  return kind === 'pdf' || kind === 'markdown' || kind === 'text' ? kind : undefined;
}

/**
 * Decides file by file. `.gitignore` files are read on first need, one per folder, and kept for the matcher's
 * life: build a new matcher for each full update so edited ignore files take effect.
 */
export class LibraryMatcher {
  private readonly include: picomatch.Matcher | undefined;
  private readonly exclude: picomatch.Matcher | undefined;
  private readonly hostExclude: picomatch.Matcher | undefined;
  private readonly gitignores = new Map<string, Promise<Ignore | undefined>>();
  private readonly attachments: ReadonlySet<string>;

  constructor(
    private readonly files: FileReader & Pick<WorkspaceIndex, 'folders'>,
    scope: LibraryScope,
    attachments: readonly string[] = [],
  ) {
    this.include = matcher(scope.include);
    this.exclude = matcher(scope.exclude);
    this.hostExclude = matcher(scope.hostExclude ?? []);
    this.attachments = new Set(attachments.map(uriKey));
  }

  async verdict(uri: string, signal: AbortSignal): Promise<Verdict> {
    const kind = libraryKind(uri);
    if (!kind) return undefined;
    const folders = this.files.folders();
    const path = workspaceRelative(uri, folders);
    const folder = folders.find((f) => isInside(uri, f));
    const file = { uri, path, kind };
    if (!folder) return this.attachments.has(uriKey(uri)) ? { in: file } : undefined;
    if (this.include && !this.include(path) && !this.attachments.has(uriKey(uri))) return undefined;
    const dirs = ancestors(path);
    if (this.hostExclude && [path, ...dirs].some((p) => this.hostExclude?.(p)))
      return { out: { uri, path, reason: `${path}: excluded by files.exclude` } };
    if (this.exclude && [path, ...dirs].some((p) => this.exclude?.(p)))
      return { out: { uri, path, reason: `${path}: excluded by researchAssistant.library.exclude` } };
    const ignoredBy = await this.gitignored(folder, path, signal);
    if (ignoredBy) return { out: { uri, path, reason: `${path}: excluded by ${ignoredBy}` } };
    return { in: file };
  }

  /** The `.gitignore` (workspace-relative) that leaves the file out, if any, looking from the folder down. */
  private async gitignored(folder: string, path: string, signal: AbortSignal): Promise<string | undefined> {
    for (const dir of ['', ...ancestors(path).reverse()]) {
      const rules = await this.gitignore(folder, dir, signal);
      const relative = dir === '' ? path : path.slice(dir.length + 1);
      if (rules?.ignores(relative)) return dir === '' ? '.gitignore' : `${dir}/.gitignore`;
    }
    return undefined;
  }

  private gitignore(folder: string, dir: string, signal: AbortSignal): Promise<Ignore | undefined> {
    const key = `${folder}/${dir}`;
    let rules = this.gitignores.get(key);
    if (!rules) {
      const uri = `${folder}/${dir === '' ? '' : `${encodePath(dir)}/`}.gitignore`;
      rules = this.readIgnore(uri, signal);
      this.gitignores.set(key, rules);
    }
    return rules;
  }

  private async readIgnore(uri: string, signal: AbortSignal): Promise<Ignore | undefined> {
    throwIfAborted(signal);
    try {
      if (!(await this.files.stat(uri, signal))) return undefined;
      return ignore().add(await this.files.readText(uri, signal));
    } catch (error) {
      if (isCancellationError(error)) throw error;
      // An unreadable ignore file ignores nothing: the files stay visible rather than vanish unexplained.
      return undefined;
    }
  }
}

export interface Discovery {
  readonly files: readonly LibraryFile[];
  readonly excluded: readonly ExcludedFile[];
}

/** The library's files among the host's workspace listing plus the bibliography's attachments, in listing order. */
export async function discoverFiles(
  files: FileReader & WorkspaceIndex,
  matcher: LibraryMatcher,
  attachments: readonly string[],
  signal: AbortSignal,
): Promise<Discovery> {
  const listed = await files.files(signal, { fresh: true });
  const seen = new Set<string>();
  const found: LibraryFile[] = [];
  const excluded: ExcludedFile[] = [];
  for (const uri of [...listed, ...attachments]) {
    const key = uriKey(uri);
    if (seen.has(key)) continue;
    seen.add(key);
    const verdict = await matcher.verdict(uri, signal);
    if (!verdict) continue;
    if ('in' in verdict) found.push(verdict.in);
    else excluded.push(verdict.out);
  }
  return { files: found, excluded };
}

function matcher(globs: readonly string[]): picomatch.Matcher | undefined {
  const list = globs.map((g) => g.trim().replace(/^\.\//, '')).filter((g) => g !== '');
  return list.length === 0 ? undefined : picomatch(list, { dot: true });
}

/** `a/b/c.pdf` → `['a/b', 'a']`: the folders a path sits in, innermost first. */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) out.push(path.slice(0, i));
  return out;
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
