import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, suite, test } from 'node:test';
import { DEFAULT_CONFIG, SETTING_KEYS } from '../../../src/core';
import {
  envName,
  loadSettings,
  SettingsFileError,
  SettingsValueError,
  USER_ONLY_KEYS,
  userSettingsPath,
  type ConfigKey,
} from '../../../src/node/settings';

interface Layout {
  readonly user?: string | object;
  readonly workspace?: string | object;
}

/** Every folder `layout` made, removed when the file's tests are done. */
const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A workspace and a user settings file in a fresh temp folder. */
function layout({ user, workspace }: Layout): { root: string; userFile: string } {
  const root = mkdtempSync(join(tmpdir(), 'lra-settings-'));
  made.push(root);
  const userFile = join(root, 'config', 'local-research-assistant', 'settings.json');
  const write = (file: string, content: string | object): void => {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  };
  if (user !== undefined) write(userFile, user);
  if (workspace !== undefined) write(join(root, 'ws', '.vscode', 'settings.json'), workspace);
  mkdirSync(join(root, 'ws'), { recursive: true });
  return { root, userFile };
}

suite('settings for the command line', () => {
  test('defaults when there is no file, no variable and no flag', async () => {
    const { root, userFile } = layout({});
    const loaded = await loadSettings({ workspace: join(root, 'ws'), env: {}, userSettingsFile: userFile });
    assert.deepEqual(loaded.config, DEFAULT_CONFIG);
    assert.ok(Object.isFrozen(loaded.config));
    assert.equal(loaded.origins.endpoint, 'default');
    assert.deepEqual(loaded.notices, []);
  });

  test('precedence: defaults < user file < workspace file < environment < flags', async () => {
    const { root, userFile } = layout({
      user: { 'researchAssistant.temperature': 0.5, 'researchAssistant.outputStyle': 'plain', 'researchAssistant.maxOutputTokens': 2000 },
      workspace: { 'researchAssistant.outputStyle': 'blockquote', 'researchAssistant.maxOutputTokens': 3000 },
    });
    const loaded = await loadSettings({
      workspace: join(root, 'ws'),
      env: { RESEARCH_ASSISTANT_MAX_OUTPUT_TOKENS: '4000', RESEARCH_ASSISTANT_OUTPUT_LANGUAGE: 'en' },
      userSettingsFile: userFile,
      flags: { outputLanguage: 'zh-CN' },
    });
    assert.equal(loaded.config.temperature, 0.5);
    assert.equal(loaded.origins.temperature, 'user');
    assert.equal(loaded.config.outputStyle, 'blockquote');
    assert.equal(loaded.origins.outputStyle, 'workspace');
    assert.equal(loaded.config.maxOutputTokens, 4000);
    assert.equal(loaded.origins.maxOutputTokens, 'environment');
    assert.equal(loaded.config.outputLanguage, 'zh-CN');
    assert.equal(loaded.origins.outputLanguage, 'flag');
  });

  test('a workspace file cannot set the endpoint, remote endpoints or any other user-only setting', async () => {
    const { root, userFile } = layout({
      user: { 'researchAssistant.endpoint': 'http://127.0.0.1:11434' },
      workspace: {
        'researchAssistant.endpoint': 'http://evil.example:8000',
        'researchAssistant.allowRemoteEndpoint': true,
        'researchAssistant.allowFilesOutsideWorkspace': true,
        'researchAssistant.model': 'attacker-model',
      },
    });
    const loaded = await loadSettings({ workspace: join(root, 'ws'), env: {}, userSettingsFile: userFile });
    assert.equal(loaded.config.endpoint, 'http://127.0.0.1:11434');
    assert.equal(loaded.config.allowRemoteEndpoint, false);
    assert.equal(loaded.config.allowFilesOutsideWorkspace, false);
    assert.equal(loaded.config.model, '');
    assert.equal(loaded.notices.length, 4);
    assert.match(loaded.notices.join('\n'), /researchAssistant\.endpoint, which only user settings may set/);
  });

  test('the user-only keys are exactly the machine- and application-scoped settings of the manifest', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { scope?: string }> } };
    };
    const expected = (Object.keys(SETTING_KEYS) as ConfigKey[]).filter((key) => {
      const scope = manifest.contributes.configuration.properties[`researchAssistant.${SETTING_KEYS[key]}`]?.scope;
      return scope === 'machine' || scope === 'application';
    });
    assert.deepEqual([...USER_ONLY_KEYS].sort(), expected.sort());
    for (const key of ['endpoint', 'allowRemoteEndpoint'] as const) assert.ok(USER_ONLY_KEYS.includes(key), key);
  });

  test('the user file, the environment and flags may set the endpoint', async () => {
    const { root, userFile } = layout({ user: { 'researchAssistant.endpoint': 'http://127.0.0.1:1234' } });
    const ws = join(root, 'ws');
    assert.equal((await loadSettings({ workspace: ws, env: {}, userSettingsFile: userFile })).config.endpoint, 'http://127.0.0.1:1234');
    const env = { RESEARCH_ASSISTANT_ENDPOINT: 'http://127.0.0.1:8000' };
    assert.equal((await loadSettings({ workspace: ws, env, userSettingsFile: userFile })).config.endpoint, 'http://127.0.0.1:8000');
    const flagged = await loadSettings({ workspace: ws, env, userSettingsFile: userFile, flags: { endpoint: 'http://127.0.0.1:8080' } });
    assert.equal(flagged.config.endpoint, 'http://127.0.0.1:8080');
  });

  test('VS Code settings files are JSON with comments and trailing commas, flat or nested', async () => {
    const { root, userFile } = layout({
      user: '// my settings\n{\n  "researchAssistant": { "compare": { "columns": ["Aim", "N"] } }, /* nested */\n  "editor.fontSize": 14,\n}\n',
      workspace: '{ "researchAssistant.codeLens": false, }',
    });
    const loaded = await loadSettings({ workspace: join(root, 'ws'), env: {}, userSettingsFile: userFile });
    assert.deepEqual(loaded.config.compareColumns, ['Aim', 'N']);
    assert.equal(loaded.config.codeLens, false);
  });

  test('a settings file that is not JSON is one error naming the file, line and column', async () => {
    const { root, userFile } = layout({ workspace: '{\n  "researchAssistant.temperature": 0.2\n  "researchAssistant.model": "x"\n}' });
    await assert.rejects(
      loadSettings({ workspace: join(root, 'ws'), env: {}, userSettingsFile: userFile }),
      (error: unknown) =>
        error instanceof SettingsFileError &&
        error.file === join(root, 'ws', '.vscode', 'settings.json') &&
        /line 3, column 3/.test(error.reason),
    );
    const array = layout({ user: '[1, 2]' });
    await assert.rejects(
      loadSettings({ workspace: join(array.root, 'ws'), env: {}, userSettingsFile: array.userFile }),
      /must hold one JSON object/,
    );
  });

  test('a value of the wrong type or outside the enum is ignored with a notice', async () => {
    const { root, userFile } = layout({
      user: { 'researchAssistant.temperature': 'hot', 'researchAssistant.outputStyle': 'fancy', 'researchAssistant.concurrency': 'many' },
    });
    const loaded = await loadSettings({ workspace: join(root, 'ws'), env: {}, userSettingsFile: userFile });
    assert.equal(loaded.config.temperature, DEFAULT_CONFIG.temperature);
    assert.equal(loaded.config.outputStyle, DEFAULT_CONFIG.outputStyle);
    assert.equal(loaded.config.concurrency, 'auto');
    assert.equal(loaded.notices.length, 3);
    assert.match(loaded.notices[0] ?? '', /temperature must be a number: ignored/);
  });

  test('environment values are read as their setting type; a bad one is a usage error naming the variable', async () => {
    const { root, userFile } = layout({});
    const loaded = await loadSettings({
      workspace: join(root, 'ws'),
      env: {
        RESEARCH_ASSISTANT_CONCURRENCY: '4',
        RESEARCH_ASSISTANT_READ_LINKED_NOTES: 'false',
        RESEARCH_ASSISTANT_COMPARE_COLUMNS: 'Aim, Method ,',
        RESEARCH_ASSISTANT_TEMPERATURE: '0.7',
      },
      userSettingsFile: userFile,
    });
    assert.equal(loaded.config.concurrency, 4);
    assert.equal(loaded.config.readLinkedNotes, false);
    assert.deepEqual(loaded.config.compareColumns, ['Aim', 'Method']);
    assert.equal(loaded.config.temperature, 0.7);
    await assert.rejects(
      loadSettings({ workspace: join(root, 'ws'), env: { RESEARCH_ASSISTANT_TEMPERATURE: 'warm' }, userSettingsFile: userFile }),
      (error: unknown) => error instanceof SettingsValueError && /RESEARCH_ASSISTANT_TEMPERATURE=warm must be a number/.test(error.message),
    );
  });

  test('names: environment variables and the XDG user settings file', () => {
    assert.equal(envName('endpoint'), 'RESEARCH_ASSISTANT_ENDPOINT');
    assert.equal(envName('allowRemoteEndpoint'), 'RESEARCH_ASSISTANT_ALLOW_REMOTE_ENDPOINT');
    assert.equal(envName('compareColumns'), 'RESEARCH_ASSISTANT_COMPARE_COLUMNS');
    assert.equal(userSettingsPath({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u'), '/x/cfg/local-research-assistant/settings.json');
    assert.equal(userSettingsPath({}, '/home/u'), '/home/u/.config/local-research-assistant/settings.json');
    assert.equal(userSettingsPath({ XDG_CONFIG_HOME: 'relative' }, '/home/u'), '/home/u/.config/local-research-assistant/settings.json');
  });
});
