import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, suite, test } from 'node:test';
import { startFakeServer, type FakeServer } from '../fakeServer/index';
import { finished, NOTE, Sandbox, stderrShows } from './helpers';

/** A note far larger than a 4,096-token context: it is summarized in parts, one request each. */
function longNote(): string {
  const sentence = (s: number, i: number): string =>
    `In section ${s} the cohort number ${i} showed a consolidation effect after slow-wave sleep in the evening sessions. `;
  const sections = Array.from(
    { length: 6 },
    (_, s) => `## Part ${s + 1}\n\n${Array.from({ length: 60 }, (_, i) => sentence(s + 1, i)).join('')}\n`,
  );
  return `# Long review\n\n${sections.join('\n')}`;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > 30_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

suite('research-assistant: Ctrl-C', () => {
  let slow: FakeServer;
  let box: Sandbox;
  before(async () => {
    slow = await startFakeServer({ flavour: 'ollama', ctx: 32768, tokensPerSecond: 20 });
    box = new Sandbox({ 'review.md': NOTE });
  });
  after(async () => {
    await slow.close();
    box.dispose();
  });

  test('SIGINT while the answer streams: exit 130, nothing on stdout, the note untouched, the request aborted', async () => {
    const child = box.start(['summarize', 'review.md', '--write', '--endpoint', slow.url]);
    const result = finished(child);
    await stderrShows(child, /receiving the answer/);
    child.kill('SIGINT');
    const r = await result;
    assert.equal(r.code, 130, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /interrupted; finished parts are cached, so running the command again resumes/);
    assert.equal(readFileSync(`${box.workspace}/review.md`, 'utf8'), NOTE);
    await until(() => slow.chatRequests().every((c) => c.endedAt !== undefined), 'the aborted request to end');
    assert.ok(
      slow.chatRequests().some((c) => c.aborted),
      'the streaming request was aborted',
    );
  });

  test('SIGTERM (a service manager stopping it) ends the same way with 143', async () => {
    const child = box.start(['ask', 'review.md', 'How large were the samples?', '--endpoint', slow.url]);
    const result = finished(child);
    await stderrShows(child, /receiving the answer/);
    child.kill('SIGTERM');
    const r = await result;
    assert.equal(r.code, 143, r.stderr);
    assert.equal(r.stdout, '');
  });

  test('a run interrupted after some parts resumes: the finished parts are not asked again', async () => {
    let chats = 0;
    // Parts 1 and 2 answer at once; the third hangs until the client goes away.
    const fake = await startFakeServer({
      flavour: 'llamacpp',
      ctx: 4096,
      slots: 1,
      reply: () => (++chats >= 3 ? { delayMs: 60_000 } : {}),
    });
    const long = new Sandbox({ 'long.md': longNote() });
    try {
      const child = long.start(['summarize', 'long.md', '--endpoint', fake.url]);
      const result = finished(child);
      await until(() => fake.chatRequests().length >= 3, 'the third part request');
      const results = join(long.cacheHome, 'local-research-assistant', 'results');
      await until(() => existsSync(results) && readdirSync(results).filter((f) => f.endsWith('.json')).length >= 2, 'two cached parts');
      child.kill('SIGINT');
      const interrupted = await result;
      assert.equal(interrupted.code, 130, interrupted.stderr);

      fake.setReply({});
      const before = fake.chatRequests().length;
      const resumed = await long.run(['summarize', 'long.md', '--endpoint', fake.url]);
      assert.ok(resumed.code === 0 || resumed.code === 1, resumed.stderr);
      const resumedRequests = fake.chatRequests().length - before;

      const fresh = new Sandbox({ 'long.md': longNote() });
      try {
        const start = fake.chatRequests().length;
        const full = await fresh.run(['summarize', 'long.md', '--endpoint', fake.url]);
        assert.ok(full.code === 0 || full.code === 1, full.stderr);
        const allRequests = fake.chatRequests().length - start;
        assert.ok(allRequests >= 4, `the note was split into parts (${allRequests} requests)`);
        assert.equal(resumedRequests, allRequests - 2, 'the two finished parts came from the cache');
        assert.equal(resumed.stdout, full.stdout, 'the resumed result is the full result');
      } finally {
        fresh.dispose();
      }
    } finally {
      await fake.close();
      long.dispose();
    }
  });
});
