/**
 * package.json against the code: command ids (src/vscode/constants.ts), setting keys (src/core/config.ts),
 * categories, %nls% titles in both languages and setting descriptions. Reads the manifest the host loaded.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SETTING_KEYS } from '../../src/core/config';
import { Commands, CONFIG_SECTION, EXTENSION_ID } from '../../src/vscode/constants';

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, { markdownDescription?: string; description?: string }> };
  };
}

function extensionFile(name: string): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not found`);
  return fs.readFileSync(path.join(ext.extensionPath, name), 'utf8');
}

const nlsKey = (value: string | undefined): string | undefined => /^%(.+)%$/.exec(value ?? '')?.[1];

suite('manifest (package.json) against the code', () => {
  // the raw file: the host's packageJSON already has the %placeholders% replaced
  const manifest = (): Manifest => JSON.parse(extensionFile('package.json')) as Manifest;
  const nls = (locale: '' | '.zh-cn'): Record<string, string> =>
    JSON.parse(extensionFile(`package.nls${locale}.json`)) as Record<string, string>;

  test('contributed commands are exactly the Commands constants', () => {
    const contributed = manifest()
      .contributes.commands.map((c) => c.command)
      .sort();
    assert.deepEqual(contributed, Object.values(Commands).sort());
  });

  test('every command has category %category% and a %nls% title present in both languages', () => {
    const en = nls('');
    const zh = nls('.zh-cn');
    for (const cmd of manifest().contributes.commands) {
      assert.equal(cmd.category, '%category%', `${cmd.command}: category`);
      const key = nlsKey(cmd.title);
      assert.ok(key, `${cmd.command}: title ${cmd.title} is not a %nls% key`);
      assert.ok(en[key], `${cmd.command}: ${key} missing in package.nls.json`);
      assert.ok(zh[key], `${cmd.command}: ${key} missing in package.nls.zh-cn.json`);
    }
    assert.ok(en.category && zh.category, 'category string missing');
  });

  test('settings are exactly SETTING_KEYS, each with a markdownDescription in both languages', () => {
    const props = manifest().contributes.configuration.properties;
    const expected = Object.values(SETTING_KEYS)
      .map((k) => `${CONFIG_SECTION}.${k}`)
      .sort();
    assert.deepEqual(Object.keys(props).sort(), expected);
    const en = nls('');
    const zh = nls('.zh-cn');
    for (const [name, schema] of Object.entries(props)) {
      const key = nlsKey(schema.markdownDescription);
      assert.ok(key, `${name}: markdownDescription must be a %nls% key`);
      assert.ok(en[key], `${name}: ${key} missing in package.nls.json`);
      assert.ok(zh[key], `${name}: ${key} missing in package.nls.zh-cn.json`);
    }
  });

  test('every %key% used anywhere in package.json exists in both nls files', () => {
    const text = extensionFile('package.json');
    const keys = [...new Set([...text.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1] as string))];
    const en = nls('');
    const zh = nls('.zh-cn');
    assert.deepEqual(
      keys.filter((k) => !en[k]),
      [],
      'missing in package.nls.json',
    );
    assert.deepEqual(
      keys.filter((k) => !zh[k]),
      [],
      'missing in package.nls.zh-cn.json',
    );
  });

  test('the host sees every setting with its default', () => {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const missing = Object.values(SETTING_KEYS).filter((k) => config.inspect(k)?.defaultValue === undefined);
    assert.deepEqual(missing, []);
  });
});
