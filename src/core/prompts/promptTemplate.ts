/**
 * Prompt templates are data (prompts/*.md): YAML front matter + a body with `{{variables}}`,
 * optionally split by a `<system>…</system>` block. Parsing validates the contract and names
 * the file and line on every error, so a user's broken override is fixable from the message.
 */
import { parseDocument } from 'yaml';
import { AssistantError } from '../errors';
import type { ChatMessage } from '../llm/types';

export type PromptOutput = 'markdown' | 'json';

export interface PromptTemplate {
  readonly id: string;
  /** Bumped when the wording changes; part of every result-cache key. */
  readonly version: number;
  readonly title: string;
  readonly description: string;
  /** Every `{{name}}` the body may use; the task must supply all of them. */
  readonly variables: readonly string[];
  readonly output: PromptOutput;
  /** JSON schema for `output: json`. */
  readonly schema?: Readonly<Record<string, unknown>>;
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** The system part (role + constraints), without variables expanded. */
  readonly system: string;
  /** The user part: sources first, instructions last. */
  readonly body: string;
  /** Where the template came from (file URI or path), for error messages. */
  readonly file: string;
  /** `builtin` or `user` (an override by id from the prompts folder). */
  readonly origin: 'builtin' | 'user';
}

const ID_PATTERN = /^[a-z][a-z0-9-]*$/;
const VARIABLE_PATTERN = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function invalid(file: string, line: number, message: string): AssistantError {
  return new AssistantError('InvalidTemplate', `${file}:${line}: ${message}`, { data: { file, line } });
}

/** Parses and validates one template file. Throws AssistantError('InvalidTemplate') naming file and line. */
export function parsePromptTemplate(text: string, file: string, origin: 'builtin' | 'user' = 'builtin'): PromptTemplate {
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = normalised.split('\n');
  if (lines[0]?.trim() !== '---') throw invalid(file, 1, 'a prompt template must start with YAML front matter ("---")');
  const closing = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (closing < 0) throw invalid(file, 1, 'the front matter is not closed by a "---" line');

  const yamlText = lines.slice(1, closing).join('\n');
  const doc = parseDocument(yamlText);
  const yamlError = doc.errors[0];
  if (yamlError) {
    // +1 for the opening "---" line.
    const line = (yamlError.linePos?.[0]?.line ?? 1) + 1;
    throw invalid(file, line, `YAML: ${(yamlError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const meta: unknown = doc.toJS();
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw invalid(file, 2, 'the front matter must be a mapping');
  const fm = meta as Record<string, unknown>;
  const lineOf = (key: string): number => {
    const idx = lines.slice(1, closing).findIndex((l) => l.startsWith(`${key}:`));
    return idx < 0 ? 2 : idx + 2;
  };

  const id = fm.id;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw invalid(file, lineOf('id'), '`id` must be lowercase letters, digits and dashes');
  const version = fm.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw invalid(file, lineOf('version'), '`version` must be a positive integer');
  const title = typeof fm.title === 'string' && fm.title.trim() ? fm.title.trim() : undefined;
  if (!title) throw invalid(file, lineOf('title'), '`title` is required');
  const description = typeof fm.description === 'string' ? fm.description.trim() : '';
  const variables = fm.variables ?? [];
  if (!Array.isArray(variables) || !variables.every((v): v is string => typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v))) {
    throw invalid(file, lineOf('variables'), '`variables` must be a list of names');
  }
  const output = fm.output ?? 'markdown';
  if (output !== 'markdown' && output !== 'json') throw invalid(file, lineOf('output'), '`output` must be `markdown` or `json`');
  const schema = fm.schema;
  if (output === 'json' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    throw invalid(file, lineOf('schema'), '`output: json` needs a `schema` (a JSON schema object)');
  }
  const temperature = fm.temperature;
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    throw invalid(file, lineOf('temperature'), '`temperature` must be a number from 0 to 2');
  }
  const maxTokens = fm.maxTokens;
  if (maxTokens !== undefined && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 16)) {
    throw invalid(file, lineOf('maxTokens'), '`maxTokens` must be an integer ≥ 16');
  }

  // Body: optional <system>…</system>, then the user message.
  const bodyStartLine = closing + 2; // 1-based line of the first body line
  let rest = lines.slice(closing + 1).join('\n');
  let system = '';
  const sys = /^\s*<system>\n?([\s\S]*?)<\/system>\s*\n?/.exec(rest);
  if (sys) {
    system = (sys[1] ?? '').trim();
    rest = rest.slice(sys[0].length);
  } else if (rest.includes('<system>')) {
    const at = lines.slice(closing + 1).findIndex((l) => l.includes('<system>'));
    throw invalid(file, bodyStartLine + at, '`<system>` must open the body and be closed by `</system>`');
  }
  const body = rest.trim();
  if (!body) throw invalid(file, bodyStartLine, 'the template body is empty');

  // Every placeholder must be declared, so a typo is reported at load time instead of sent to the model.
  const bodyLines = lines.slice(closing + 1);
  for (let i = 0; i < bodyLines.length; i += 1) {
    for (const m of (bodyLines[i] ?? '').matchAll(VARIABLE_PATTERN)) {
      const name = m[1] ?? '';
      if (!variables.includes(name)) throw invalid(file, bodyStartLine + i, `variable {{${name}}} is not declared in \`variables\``);
    }
  }

  return Object.freeze({
    id,
    version,
    title,
    description,
    variables: Object.freeze([...variables]),
    output,
    ...(output === 'json' ? { schema: schema as Record<string, unknown> } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    system,
    body,
    file,
    origin,
  });
}

/**
 * Expands `{{variables}}` in one pass: values are never re-scanned, so a source containing
 * `{{question}}` cannot inject anything. Missing values are an InvalidTemplate error naming the file.
 */
export function renderPrompt(template: PromptTemplate, values: Readonly<Record<string, string>>): ChatMessage[] {
  for (const name of template.variables) {
    if (values[name] === undefined) {
      throw new AssistantError('InvalidTemplate', `${template.file}: the task does not supply {{${name}}}`, {
        data: { file: template.file, line: 1 },
      });
    }
  }
  const expand = (text: string): string => text.replace(VARIABLE_PATTERN, (_all, name: string) => values[name] ?? '');
  const messages: ChatMessage[] = [];
  const system = expand(template.system).trim();
  if (system) messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: expand(template.body).trim() });
  return messages;
}

/** Names a template uses that a task does not supply (for a user template run through Run Prompt…). */
export function missingVariables(template: PromptTemplate, supplied: readonly string[]): string[] {
  return template.variables.filter((v) => !supplied.includes(v));
}
