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
