import { after, suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeServer, type FakeServer, type RecordedRequest, type Reply } from '../../fakeServer/index';
import { clientFor, wordsOfTokens } from './helpers';

const MODEL = 'Qwen/Qwen3-4B-Instruct-2507';

function maxOverlap(recs: RecordedRequest[]): number {
  const events = recs
    .flatMap((r) => [
      { t: r.startedAt ?? 0, d: 1 },
      { t: r.endedAt ?? 0, d: -1 },
    ])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let cur = 0;
  let max = 0;
  for (const e of events) max = Math.max(max, (cur += e.d));
  return max;
}

/** A reply function that holds every request until `n` have arrived, so a loaded machine cannot serialise them. */
function barrier(n: number, reply: Reply): () => Promise<Reply> {
  const waiting: Array<() => void> = [];
  return () =>
    new Promise<Reply>((resolve) => {
      waiting.push(() => resolve(reply));
      if (waiting.length === n) for (const release of waiting) release();
    });
}

void suite('fake server slots and throughput model', () => {
  const servers: FakeServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (slots: number, extra: Partial<Parameters<typeof startFakeServer>[0]> = {}): Promise<FakeServer> => {
    const s = await startFakeServer({ flavour: 'llamacpp', slots, tokensPerSecond: 1000, reply: wordsOfTokens(40), ...extra });
    servers.push(s);
    return s;
  };
  const fire = (server: FakeServer, n: number): Promise<unknown[]> =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        clientFor(server).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `request ${i}` }] }),
      ),
    );

  void test('with slots=2, six parallel requests never have more than 2 served at once (all 6 are open)', async () => {
    const server = await start(2, { reply: barrier(6, wordsOfTokens(40)) });
    await fire(server, 6);
    assert.equal(server.maxActive, 2);
    assert.equal(server.maxConcurrent, 6);
    assert.ok(maxOverlap(server.chatRequests()) <= 2);
  });

  void test('one slot serves requests strictly one after another; 4 take about 4× one', async () => {
    const single = await start(1);
    let t = Date.now();
    await fire(single, 1);
    const one = Date.now() - t;
    const server = await start(1);
    t = Date.now();
    await fire(server, 4);
    const four = Date.now() - t;
    const recs = [...server.chatRequests()].sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
    for (let i = 1; i < recs.length; i++)
      assert.ok((recs[i]?.startedAt ?? 0) >= (recs[i - 1]?.endedAt ?? Infinity), 'no overlap on one slot');
    assert.ok(one >= 38, `40 tokens at 1000 tok/s take ≥ 40 ms (took ${one})`);
    assert.ok(four >= 4 * 38, `four requests on one slot took ${four} ms`);
  });

  void test('four slots serve four requests side by side', async () => {
    const server = await start(4, { reply: barrier(4, wordsOfTokens(40)) });
    await fire(server, 4);
    const recs = server.chatRequests();
    const firstEnd = Math.min(...recs.map((r) => r.endedAt ?? Infinity));
    assert.ok(
      recs.every((r) => (r.startedAt ?? Infinity) <= firstEnd),
      'all started before any finished',
    );
    assert.equal(server.maxActive, 4);
  });

  void test('prefill cost delays the first token by prompt tokens / prefill speed', async () => {
    const server = await start(1, { prefillTokensPerSecond: 2000, tokensPerSecond: 100_000, reply: 'ok' });
    const t = Date.now();
    const stream = await clientFor(server).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: wordsOfTokens(400) }],
      stream: true,
    });
    for await (const _ of stream) break;
    assert.ok(Date.now() - t >= 195, `~405 prompt tokens at 2000 tok/s ≥ 200 ms (took ${Date.now() - t})`);
  });
});
