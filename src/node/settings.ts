/**
 * Settings for hosts outside VS Code (the command line): the same `researchAssistant.*` keys, read from layers in
 * this order, each overriding the one before: defaults < the user settings file < the workspace's
 * `.vscode/settings.json` < environment variables < command-line flags. The result is the same frozen
 * `AssistantConfig` the extension's reader produces.
 *
 * The trust rule is the extension's: a setting whose manifest scope is `machine` or `application` (the endpoint,
 * the model, remote endpoints, files outside the workspace…) is never taken from the workspace file, because a
 * cloned repository must not be able to send the user's notes elsewhere. The scopes are read from package.json
 * itself, so the two hosts cannot drift apart.
 */
import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { contributes } from '../../package.json';
import { resolveConfig, SETTING_KEYS, type AssistantConfig } from '../core';
import { APP_FOLDER } from './appFolder';

export const SETTINGS_SECTION = 'researchAssistant';
export { APP_FOLDER };
const ENV_PREFIX = 'RESEARCH_ASSISTANT_';

export type ConfigKey = keyof AssistantConfig;
export type SettingOrigin = 'default' | 'user' | 'workspace' | 'environment' | 'flag';

interface SettingSchema {
  readonly type?: string | readonly string[];
  readonly scope?: string;
  readonly enum?: readonly string[];
  readonly items?: { readonly type?: string };
}

const SCHEMA = contributes.configuration.properties as Readonly<Record<string, SettingSchema>>;

function schemaOf(key: ConfigKey): SettingSchema {
  return SCHEMA[`${SETTINGS_SECTION}.${SETTING_KEYS[key]}`] ?? {};
}

/** Keys a workspace file may not set: VS Code ignores workspace values of machine- and application-scoped settings. */
export const USER_ONLY_KEYS: readonly ConfigKey[] = (Object.keys(SETTING_KEYS) as ConfigKey[]).filter((key) => {
  const scope = schemaOf(key).scope;
  return scope === 'machine' || scope === 'application';
});

/** `compare.columns` → `RESEARCH_ASSISTANT_COMPARE_COLUMNS`, `endpoint` → `RESEARCH_ASSISTANT_ENDPOINT`. */
export function envName(key: ConfigKey): string {
  return (
    ENV_PREFIX +
    SETTING_KEYS[key]
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/\./g, '_')
      .toUpperCase()
  );
}

/** `$XDG_CONFIG_HOME/local-research-assistant/settings.json`, `~/.config/…` when the variable is unset or relative. */
export function userSettingsPath(env: Readonly<Record<string, string | undefined>>, home: string = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  const base = xdg && xdg.startsWith('/') ? xdg : join(home, '.config');
  return join(base, APP_FOLDER, 'settings.json');
}

export function workspaceSettingsPath(workspace: string): string {
  return join(workspace, '.vscode', 'settings.json');
}

/** A settings file that cannot be used at all (not JSON, not an object, unreadable): the run must not guess. */
export class SettingsFileError extends Error {
  override readonly name = 'SettingsFileError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** An environment variable with a value its setting cannot take. */
export class SettingsValueError extends Error {
  override readonly name = 'SettingsValueError';
}

export interface SettingsInputs {
  /** Absolute path of the workspace root (the folder holding `.vscode/settings.json`). */
  readonly workspace: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags, already typed by the argument parser. */
  readonly flags?: Partial<Record<ConfigKey, unknown>>;
  /** Overrides the user settings file location (tests); default from `env` and the home folder. */
  readonly userSettingsFile?: string;
}

export interface LoadedSettings {
  readonly config: AssistantConfig;
  /** Which layer each value came from, for `status` and for explaining surprises. */
  readonly origins: Readonly<Record<ConfigKey, SettingOrigin>>;
  readonly userSettingsFile: string;
  readonly workspaceSettingsFile: string;
  /** Values that were present but not used, each as one sentence for stderr. */
  readonly notices: readonly string[];
}

export async function loadSettings(inputs: SettingsInputs): Promise<LoadedSettings> {
  const userFile = inputs.userSettingsFile ?? userSettingsPath(inputs.env);
  const workspaceFile = workspaceSettingsPath(inputs.workspace);
  const notices: string[] = [];
  const values: Partial<Record<ConfigKey, unknown>> = {};
  const origins = Object.fromEntries(Object.keys(SETTING_KEYS).map((k) => [k, 'default'])) as Record<ConfigKey, SettingOrigin>;
  const take = (key: ConfigKey, value: unknown, origin: SettingOrigin): void => {
    values[key] = value;
    origins[key] = origin;
  };

  for (const [file, origin] of [
    [userFile, 'user'],
    [workspaceFile, 'workspace'],
  ] as const) {
    const settings = await readSettingsFile(file);
    if (!settings) continue;
    for (const key of Object.keys(SETTING_KEYS) as ConfigKey[]) {
      const raw = lookup(settings, `${SETTINGS_SECTION}.${SETTING_KEYS[key]}`);
      if (raw === undefined) continue;
      const setting = `${SETTINGS_SECTION}.${SETTING_KEYS[key]}`;
      if (origin === 'workspace' && USER_ONLY_KEYS.includes(key)) {
        notices.push(`${file} sets ${setting}, which only user settings may set (a workspace cannot redirect your notes): ignored.`);
        continue;
      }
      const problem = checkValue(key, raw);
      if (problem) {
        notices.push(`${file}: ${setting} ${problem}: ignored.`);
        continue;
      }
      take(key, raw, origin);
    }
  }

  for (const key of Object.keys(SETTING_KEYS) as ConfigKey[]) {
    const name = envName(key);
    const raw = inputs.env[name];
    if (raw === undefined || raw === '') continue;
    take(key, fromEnvironment(key, name, raw), 'environment');
  }

  for (const [key, value] of Object.entries(inputs.flags ?? {}) as [ConfigKey, unknown][]) {
    if (value === undefined) continue;
    const problem = checkValue(key, value);
    if (problem) throw new SettingsValueError(`--${flagNameOf(key)} ${problem}`);
    take(key, value, 'flag');
  }

  return {
    config: resolveConfig(values as Partial<AssistantConfig>),
    origins: Object.freeze(origins),
    userSettingsFile: userFile,
    workspaceSettingsFile: workspaceFile,
    notices,
  };
}

function flagNameOf(key: ConfigKey): string {
  return SETTING_KEYS[key]
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/\./g, '-')
    .toLowerCase();
}

/** The file's object, `undefined` when it does not exist. VS Code's settings files are JSON with comments. */
export async function readSettingsFile(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new SettingsFileError(file, `cannot be read (${code ?? String(error)})`);
  }
  if (text.trim() === '') return undefined;
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    const { line, column } = lineAndColumn(text, first.offset);
    throw new SettingsFileError(file, `is not valid JSON at line ${line}, column ${column} (${printParseErrorCode(first.error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SettingsFileError(file, 'must hold one JSON object of "researchAssistant.*" settings');
  }
  return value as Record<string, unknown>;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * A dotted setting name in a settings object: VS Code accepts the flat form (`"researchAssistant.compare.columns"`)
 * and nested objects (`"researchAssistant": { "compare": { "columns": … } }`), and mixtures of both.
 */
function lookup(object: Record<string, unknown>, dotted: string): unknown {
  if (Object.hasOwn(object, dotted)) return object[dotted];
  const parts = dotted.split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const head = parts.slice(0, i).join('.');
    const inner = object[head];
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      const found = lookup(inner as Record<string, unknown>, parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function typesOf(schema: SettingSchema): readonly string[] {
  if (schema.type === undefined) return [];
  return typeof schema.type === 'string' ? [schema.type] : schema.type;
}

/** Why a value cannot be used for the setting, or `undefined` when it can (the manifest's type and enum). */
export function checkValue(key: ConfigKey, value: unknown): string | undefined {
  const schema = schemaOf(key);
  const types = typesOf(schema);
  const fits =
    types.length === 0 ||
    types.some((type) => {
      switch (type) {
        case 'string':
          return typeof value === 'string';
        case 'boolean':
          return typeof value === 'boolean';
        case 'number':
          return typeof value === 'number' && Number.isFinite(value);
        case 'integer':
          return typeof value === 'number' && Number.isInteger(value);
        case 'array':
          return Array.isArray(value) && value.every((item) => typeof item === (schema.items?.type ?? 'string'));
        default:
          return true;
      }
    });
  if (!fits)
    return `must be ${types.map((t) => (t === 'array' ? 'a list of strings' : `a${/^[aeiou]/.test(t) ? 'n' : ''} ${t}`)).join(' or ')}`;
  if (schema.enum && !schema.enum.includes(value as string)) return `must be one of ${schema.enum.join(', ')}`;
  if (key === 'concurrency' && typeof value === 'string' && value !== 'auto') return 'must be "auto" or a whole number';
  return undefined;
}

/** Environment values are strings: each is read as its setting's type (lists comma-separated). */
function fromEnvironment(key: ConfigKey, name: string, raw: string): unknown {
  const schema = schemaOf(key);
  const types = typesOf(schema);
  const text = raw.trim();
  let value: unknown = text;
  if (types.includes('boolean')) {
    const lower = text.toLowerCase();
    value = ['true', '1', 'yes', 'on'].includes(lower) ? true : ['false', '0', 'no', 'off'].includes(lower) ? false : text;
  } else if (types.includes('array')) {
    value = text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  } else if ((types.includes('integer') || types.includes('number')) && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) {
    value = Number(text);
  }
  const problem = checkValue(key, value);
  if (problem) throw new SettingsValueError(`${name}=${raw} ${problem}`);
  return value;
}
