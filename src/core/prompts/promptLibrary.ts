/**
 * Built-in templates plus the user's overrides and additions (by id, from the prompts folder).
 * Loading never throws for one bad user file: the error is kept so the adapter can show it
 * (naming the file and line) while every other template stays usable.
 */
import { AssistantError, isAssistantError } from '../errors';
import { parsePromptTemplate, type PromptTemplate } from './promptTemplate';

export interface PromptFile {
  /** URI or path, used in error messages. */
  readonly file: string;
  readonly text: string;
}

export interface PromptLoadError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** `summarize-paper` for `prompts/summarize-paper.md`: the id a built-in file is expected to declare. */
function idOfFileName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1).replace(/\.md$/i, '');
}

export class PromptLibrary {
  private readonly byId = new Map<string, PromptTemplate>();
  /**
   * Built-in files not parsed yet. A built-in is parsed when it is first asked for: a command uses one template,
   * and parsing all of them (YAML front matter) was a tenth of a cached command-line run.
   */
  private unparsed: PromptFile[];
  readonly errors: readonly PromptLoadError[];

  private constructor(builtins: readonly PromptFile[], user: readonly PromptTemplate[], errors: readonly PromptLoadError[]) {
    this.unparsed = [...builtins];
    for (const t of user) this.byId.set(t.id, t);
    this.errors = errors;
  }

  /**
   * Built-ins must all parse (a broken built-in is a bug: it throws when it is read); user files may fail
   * individually, and are parsed at once so that their errors are reported.
   */
  static load(builtins: readonly PromptFile[], userFiles: readonly PromptFile[] = []): PromptLibrary {
    const user: PromptTemplate[] = [];
    const errors: PromptLoadError[] = [];
    for (const f of userFiles) {
      try {
        const t = parsePromptTemplate(f.text, f.file, 'user');
        const i = user.findIndex((u) => u.id === t.id);
        if (i >= 0) user[i] = t;
        else user.push(t);
      } catch (error) {
        if (!isAssistantError(error)) throw error;
        errors.push({ file: f.file, line: Number(error.data.line ?? 1), message: error.message });
      }
    }
    return new PromptLibrary(builtins, user, errors);
  }

  /** The template for a task; `InvalidTemplate` when no file declares that id. */
  get(id: string): PromptTemplate {
    const t = this.find(id);
    if (!t) throw new AssistantError('InvalidTemplate', `No prompt template with id "${id}"`, { data: { id } });
    return t;
  }

  has(id: string): boolean {
    return this.find(id) !== undefined;
  }

  list(): PromptTemplate[] {
    this.parseBuiltins(this.unparsed);
    return [...this.byId.values()].sort((a, b) => a.title.localeCompare(b.title));
  }

  /** The file named after the id first (the convention); every other built-in only when that one is not it. */
  private find(id: string): PromptTemplate | undefined {
    const known = this.byId.get(id);
    if (known || this.unparsed.length === 0) return known;
    this.parseBuiltins(this.unparsed.filter((f) => idOfFileName(f.file) === id));
    return this.byId.get(id) ?? (this.parseBuiltins(this.unparsed), this.byId.get(id));
  }

  /** A user template of the same id stays: it overrides the built-in. */
  private parseBuiltins(files: readonly PromptFile[]): void {
    if (files.length === 0) return;
    this.unparsed = this.unparsed.filter((f) => !files.includes(f));
    for (const f of files) {
      const t = parsePromptTemplate(f.text, f.file, 'builtin');
      if (!this.byId.has(t.id)) this.byId.set(t.id, t);
    }
  }
}
