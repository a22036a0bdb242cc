import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeServer, type FakeServer, type FakeServerOptions } from '../fakeServer/index';
import { Commands, CONFIG_SECTION, EXTENSION_ID } from '../../src/vscode/constants';
import type { ConnectionFailure, ConnectionReport } from '../../src/vscode/commands/testConnection';
import { STATUS_BAR_STATE_COMMAND, type StatusBarState } from '../../src/vscode/ui/statusBar';

type TestResult = ConnectionReport | ConnectionFailure;

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

async function testConnection(): Promise<TestResult> {
  return (await vscode.commands.executeCommand(Commands.testConnection, { quiet: true })) as TestResult;
}

function report(result: TestResult): ConnectionReport {
  assert.ok(!('error' in result), `Test Connection failed: ${JSON.stringify(result)}`);
  return result;
}

/** The status bar updates from events; wait until it shows what the test expects. */
async function statusBarUntil(predicate: (s: StatusBarState) => boolean): Promise<StatusBarState> {
  let state: StatusBarState | undefined;
  for (let i = 0; i < 50; i++) {
    state = (await vscode.commands.executeCommand(STATUS_BAR_STATE_COMMAND)) as StatusBarState;
    if (predicate(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`status bar never matched: ${JSON.stringify(state)}`);
}

suite('model server: Test Connection, Select Model, Set API Key, status bar', () => {
  let fake: FakeServer | undefined;

  async function useFake(options: FakeServerOptions): Promise<FakeServer> {
    await fake?.close();
    fake = await startFakeServer(options);
    await setSetting('model', undefined);
    await setSetting('endpoint', fake.url);
    return fake;
  }

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  teardown(async () => {
    await vscode.commands.executeCommand(Commands.setApiKey, { key: '' });
    await setSetting('endpoint', undefined);
    await setSetting('model', undefined);
    await fake?.close();
    fake = undefined;
  });

  test('Test Connection reports kind, version, model, usable context and time to first token', async () => {
    const server = await useFake({ flavour: 'ollama', version: '0.12.6' });
    const r = report(await testConnection());
    assert.equal(r.kind, 'ollama');
    assert.equal(r.version, '0.12.6');
    assert.equal(r.baseUrl, server.url);
    assert.match(r.model, /qwen3/);
    assert.equal(r.contextLength, 32768);
    assert.ok(r.firstTokenMs >= 0 && r.firstTokenMs <= r.totalMs, JSON.stringify(r));
    assert.equal(server.chatRequests().length, 1);
    // The notification is one short line (a long one is cut off); address and version go to the log.
    assert.ok(r.shown, 'the message is returned');
    assert.equal(r.shown.severity, 'info');
    assert.ok(r.shown.message.length <= 110, `${r.shown.message.length} characters: ${r.shown.message}`);
    assert.match(r.shown.message, /^Connected to Ollama \(qwen3[^)]*\): 32,768 tokens of context, first token after \d+ ms\.$/u);
    assert.ok(
      r.shown.details.some((d) => d.includes(server.url) && d.includes('0.12.6')),
      r.shown.details.join(' | '),
    );
    const state = await statusBarUntil((s) => s.text.includes('Ollama'));
    assert.ok(state.text.includes(r.model), state.text);
    assert.equal(state.warning, false);
  });

  test('status bar warns when the usable context is below 16k, with the server-specific fix', async () => {
    await useFake({ flavour: 'llamacpp', ctx: 8192 });
    const r = report(await testConnection());
    assert.equal(r.kind, 'llamacpp');
    assert.equal(r.contextLength, 8192);
    const state = await statusBarUntil((s) => s.text.includes('llama.cpp'));
    assert.equal(state.warning, true);
    assert.match(state.tooltip, /-c 32768/);
  });

  test('Select Model with an argument stores the model and the next connection uses it', async () => {
    const server = await useFake({ flavour: 'vllm', models: ['Qwen/Qwen3-4B-Instruct-2507', 'org/other:v1/q4'] });
    const chosen = await vscode.commands.executeCommand(Commands.selectModel, { model: 'org/other:v1/q4' });
    assert.equal(chosen, 'org/other:v1/q4');
    assert.equal(vscode.workspace.getConfiguration(CONFIG_SECTION).get('model'), 'org/other:v1/q4');
    const r = report(await testConnection());
    assert.equal(r.model, 'org/other:v1/q4');
    assert.equal(server.chatRequests().at(-1)?.body.model, 'org/other:v1/q4');
  });

  test("Select Model without an argument shows a quick pick of the server's models", async () => {
    await useFake({ flavour: 'lmstudio', models: ['qwen/qwen3-4b-2507', 'google/gemma-3-4b'] });
    const pending = vscode.commands.executeCommand(Commands.selectModel) as Thenable<string | undefined>;
    let chosen: string | undefined;
    let settled = false;
    void pending.then((value) => {
      chosen = value;
      settled = true;
    });
    // Accept the highlighted (first) item once the quick pick is open.
    for (let i = 0; i < 50 && !settled; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    assert.ok(settled, 'the quick pick never closed');
    assert.equal(chosen, 'qwen/qwen3-4b-2507');
    assert.equal(vscode.workspace.getConfiguration(CONFIG_SECTION).get('model'), 'qwen/qwen3-4b-2507');
  });

  test('Set API Key: 401 without it, works with it, never stored in settings', async () => {
    const server = await useFake({ flavour: 'vllm', apiKey: 'sk-integration-test-key-42' });
    const before = await testConnection();
    assert.ok('error' in before && before.error.code === 'Auth', JSON.stringify(before));
    const stored = await vscode.commands.executeCommand(Commands.setApiKey, { key: 'sk-integration-test-key-42' });
    assert.deepEqual(stored, { stored: true });
    report(await testConnection());
    assert.equal(server.chatRequests().at(-1)?.headers.authorization, 'Bearer sk-integration-test-key-42');
    const settings = JSON.stringify(vscode.workspace.getConfiguration(CONFIG_SECTION));
    assert.doesNotMatch(settings, /sk-integration-test-key-42/);
  });

  test('a non-loopback endpoint is refused and the status bar says so', async () => {
    await setSetting('endpoint', 'http://10.255.255.1:11434');
    const result = await testConnection();
    assert.ok('error' in result && result.error.code === 'RemoteEndpointRefused', JSON.stringify(result));
    const state = await statusBarUntil((s) => s.warning && s.tooltip.includes('RemoteEndpointRefused'));
    assert.match(state.text, /no model server/);
  });

  test('nothing listening: a clear EndpointUnreachable, nothing hangs', async () => {
    await setSetting('endpoint', 'http://127.0.0.1:9');
    const started = Date.now();
    const result = await testConnection();
    assert.ok('error' in result && result.error.code === 'EndpointUnreachable', JSON.stringify(result));
    assert.ok(Date.now() - started < 10_000);
  });
});
