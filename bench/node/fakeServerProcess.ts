/**
 * The fake model server in a process of its own, so its work (tokenizing prompts, pacing tokens) does not
 * share the measured client's event loop and heap, as with a real server.
 * usage: fakeServerProcess <FakeServerOptions as JSON>; prints {"url":…} once listening; each "stats" line on
 * stdin is answered with one JSON line: the fake's stats ({reloads, maxActive, maxConcurrent, chats: [{at, startedAt,
 * endedAt, promptTokens, sharedPrefixTokens, cachedTokens, slot}]}).
 */
import { createInterface } from 'node:readline';
import { startFakeServer, type FakeServerOptions } from '../../test/fakeServer/index';

async function main(): Promise<void> {
  const fake = await startFakeServer(JSON.parse(process.argv[2] ?? '{}') as FakeServerOptions);
  process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() !== 'stats') return;
    process.stdout.write(`${JSON.stringify(fake.stats())}\n`);
  });
  lines.on('close', () => {
    void fake.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
