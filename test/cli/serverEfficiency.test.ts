import assert from 'node:assert/strict';
import { after, before, suite, test } from 'node:test';
import { startFakeServer, type FakeServer } from '../fakeServer/index';
import { sectionsPdf } from '../fixtures/pdf-gen/generate';
import { NOTE, Sandbox } from './helpers';

/** The Ollama chat requests' bodies, in order. */
function chatBodies(fake: FakeServer): { options?: { num_ctx?: number }; keep_alive?: unknown }[] {
  return fake.chatRequests().map((r) => r.body as { options?: { num_ctx?: number }; keep_alive?: unknown });
}

suite('research-assistant on Ollama: one model load for a run of commands, each its own process', () => {
  let fake: FakeServer;
  let box: Sandbox;
  before(async () => {
    // Nothing loaded at first, and a load that takes a while: a reload would be seen and counted.
    fake = await startFakeServer({ flavour: 'ollama', ctx: 32768, preloaded: false, loadMs: 50 });
    box = new Sandbox({ 'review.md': NOTE, 'papers/genes.pdf': await sectionsPdf(), 'papers/followup.pdf': await sectionsPdf() });
  });
  after(async () => {
    await fake.close();
    box.dispose();
  });

  test('summarize, ask, explain and summarize again (no cache): the runner loaded once keeps serving; num_ctx never changes', async () => {
    const runs = [
      ['summarize', 'review.md', '--link', 'papers/genes.pdf'],
      ['ask', 'review.md', 'How many samples were sequenced?'],
      ['explain', 'review.md', 'sample sizes'],
      ['summarize', 'review.md', '--link', 'papers/followup.pdf', '--no-cache'],
    ];
    for (const args of runs) {
      const r = await box.run([...args, '--endpoint', fake.url]);
      assert.ok(r.code === 0 || r.code === 1, `${args[0]}: exit ${r.code}: ${r.stderr}`);
    }
    const bodies = chatBodies(fake);
    assert.ok(bodies.length >= runs.length, `${bodies.length} chat requests`);
    assert.equal(fake.reloads, 0);
    const numCtx = new Set(bodies.map((b) => b.options?.num_ctx));
    assert.equal(numCtx.size, 1, `num_ctx ${[...numCtx].join(', ')}`);
    assert.ok(bodies.every((b) => b.keep_alive === '30m'));
  });
});

/** A markdown paper of about `chars` characters in sections (the prompt is then mostly the paper, as in real use). */
function longPaper(chars: number): string {
  let text = '# Sleep and recall\n\n';
  for (let s = 1; text.length < chars; s++) {
    text += `## ${s} Results\n\n`;
    for (let k = 1; k <= 30; k++) text += `In experiment ${s}.${k} slow-wave sleep rose by ${(s * 7 + k) % 97}% over ${10 + k} nights. `;
    text += '\n\n';
  }
  return text;
}

suite("research-assistant on llama.cpp: follow-up commands on one paper reuse the server's prompt cache", () => {
  let fake: FakeServer;
  let box: Sandbox;
  before(async () => {
    fake = await startFakeServer({ flavour: 'llamacpp', ctx: 32768, slots: 1 });
    box = new Sandbox({ 'notes/sleep.md': '# Sleep\n\nMy notes on [[papers/smith2024.md]].\n', 'papers/smith2024.md': longPaper(40_000) });
  });
  after(async () => {
    await fake.close();
    box.dispose();
  });

  test('summarize the paper, then ask about the note, then explain a term: each prompt starts with ≥ 95 % of the previous one', async () => {
    for (const args of [
      ['summarize', 'notes/sleep.md', '--link', 'papers/smith2024.md'],
      ['ask', 'notes/sleep.md', 'How much did slow-wave sleep rise?'],
      ['explain', 'notes/sleep.md', 'slow-wave sleep'],
    ]) {
      const r = await box.run([...args, '--endpoint', fake.url]);
      assert.ok(r.code === 0 || r.code === 1, `${args[0]}: exit ${r.code}: ${r.stderr}`);
    }
    const chats = fake.stats().chats;
    assert.equal(chats.length, 3, 'one request per command');
    assert.ok(fake.chatRequests().every((r) => (r.body as { cache_prompt?: unknown }).cache_prompt === true));
    // Measured when written: 98.1 % and 98.6 % (of about 11,500 tokens).
    for (const c of chats.slice(1)) {
      const share = (c.sharedPrefixTokens ?? 0) / (c.promptTokens ?? Infinity);
      assert.ok(share >= 0.95, `shared ${c.sharedPrefixTokens} of ${c.promptTokens} prompt tokens`);
    }
  });
});
