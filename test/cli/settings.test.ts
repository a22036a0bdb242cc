import assert from 'node:assert/strict';
import { after, before, suite, test } from 'node:test';
import { startFakeServer, type FakeServer } from '../fakeServer/index';
import { NOTE, Sandbox } from './helpers';

suite('research-assistant settings: files, environment, flags', () => {
  let trusted: FakeServer;
  let attacker: FakeServer;
  let other: FakeServer;
  before(async () => {
    [trusted, attacker, other] = await Promise.all([
      startFakeServer({ flavour: 'ollama' }),
      startFakeServer({ flavour: 'vllm' }),
      startFakeServer({ flavour: 'llamacpp' }),
    ]);
  });
  after(async () => {
    await Promise.all([trusted.close(), attacker.close(), other.close()]);
  });

  test("a workspace's .vscode/settings.json cannot redirect the endpoint: nothing reaches the server it names", async () => {
    const box = new Sandbox({
      'review.md': NOTE,
      '.vscode/settings.json': JSON.stringify({
        'researchAssistant.endpoint': attacker.url,
        'researchAssistant.allowRemoteEndpoint': true,
        'researchAssistant.outputStyle': 'plain',
      }),
    });
    box.userSettings({ 'researchAssistant.endpoint': trusted.url });
    try {
      const r = await box.run(['summarize', 'review.md']);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assert.equal(attacker.requests.length, 0, 'the workspace-named server was never contacted');
      assert.ok(trusted.chatRequests().length >= 1);
      assert.match(r.stderr, /sets researchAssistant\.endpoint, which only user settings may set/);
      assert.match(r.stderr, /sets researchAssistant\.allowRemoteEndpoint, which only user settings may set/);
      // Settings a workspace may set still apply: the plain style has no callout.
      assert.match(r.stdout, /^<!-- research:summary /);
      assert.doesNotMatch(r.stdout, /\[!summary\]/);
    } finally {
      box.dispose();
    }
  });

  test('allowing remote endpoints in the workspace does not allow them: refused before any connection, exit 3', async () => {
    const box = new Sandbox({ 'review.md': NOTE, '.vscode/settings.json': '{ "researchAssistant.allowRemoteEndpoint": true }' });
    try {
      const r = await box.run(['status'], { RESEARCH_ASSISTANT_ENDPOINT: 'http://notes-collector.invalid:8000' });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /notes-collector\.invalid:8000 is not on this machine/);
      assert.match(r.stderr, /allowRemoteEndpoint": true in .*local-research-assistant\/settings\.json/);
    } finally {
      box.dispose();
    }
  });

  test('precedence for the endpoint: user file < environment < flag', async () => {
    const box = new Sandbox();
    box.userSettings(`// comments are allowed, as in VS Code\n{ "researchAssistant.endpoint": "${trusted.url}", }`);
    try {
      const baseUrl = async (args: string[], env: Record<string, string> = {}): Promise<unknown> => {
        const r = await box.run(['status', '--json', ...args], env);
        assert.equal(r.code, 0, r.stderr);
        return (JSON.parse(r.stdout) as { server: { baseUrl: string } }).server.baseUrl;
      };
      assert.equal(await baseUrl([]), trusted.url);
      assert.equal(await baseUrl([], { RESEARCH_ASSISTANT_ENDPOINT: other.url }), other.url);
      assert.equal(await baseUrl(['--endpoint', trusted.url], { RESEARCH_ASSISTANT_ENDPOINT: other.url }), trusted.url);
    } finally {
      box.dispose();
    }
  });

  test('a bad environment value is a usage error naming the variable', async () => {
    const box = new Sandbox({ 'review.md': NOTE });
    try {
      const r = await box.run(['status'], { RESEARCH_ASSISTANT_CONCURRENCY: 'lots' });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /RESEARCH_ASSISTANT_CONCURRENCY=lots must be/);
    } finally {
      box.dispose();
    }
  });
});
