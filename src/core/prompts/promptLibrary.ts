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

export class PromptLibrary {
  private readonly byId = new Map<string, PromptTemplate>();
  readonly errors: readonly PromptLoadError[];

  private constructor(templates: readonly PromptTemplate[], errors: readonly PromptLoadError[]) {
    for (const t of templates) this.byId.set(t.id, t);
    this.errors = errors;
  }

  /** Built-ins must all parse (a broken built-in is a bug: it throws); user files may fail individually. */
  static load(builtins: readonly PromptFile[], userFiles: readonly PromptFile[] = []): PromptLibrary {
    const templates: PromptTemplate[] = builtins.map((f) => parsePromptTemplate(f.text, f.file, 'builtin'));
    const errors: PromptLoadError[] = [];
    for (const f of userFiles) {
      try {
        const t = parsePromptTemplate(f.text, f.file, 'user');
        const i = templates.findIndex((b) => b.id === t.id);
        if (i >= 0) templates[i] = t;
        else templates.push(t);
      } catch (error) {
        if (!isAssistantError(error)) throw error;
        errors.push({ file: f.file, line: Number(error.data.line ?? 1), message: error.message });
      }
    }
    return new PromptLibrary(templates, errors);
  }

  /** The template for a task; `InvalidTemplate` when no file declares that id. */
  get(id: string): PromptTemplate {
    const t = this.byId.get(id);
    if (!t) throw new AssistantError('InvalidTemplate', `No prompt template with id "${id}"`, { data: { id } });
    return t;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  list(): PromptTemplate[] {
    return [...this.byId.values()].sort((a, b) => a.title.localeCompare(b.title));
  }
}
