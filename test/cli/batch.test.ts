import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, suite, test } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { startFakeServer, type FakeServer } from '../fakeServer/index';
import type { RecordedRequest } from '../fakeServer/types';
import { corruptPdfs, imageOnlyPdf } from '../fixtures/pdf-gen/generate';
import { finished, Sandbox } from './helpers';

/** A text PDF of `pages` pages, each a dense paragraph naming the paper (a long one is summarised in parts). */
async function paperPdf(name: string, pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 1; p <= pages; p++) {
    const page = doc.addPage([612, 792]);
    for (let line = 0; line < 40; line++) {
      const text = `The ${name} study on page ${p} measured ${p * 40 + line} sleeping participants in cohort ${line}.`;
      page.drawText(text, { x: 60, y: 740 - line * 17, size: 9, font });
    }
  }
  return doc.save();
}

/** The text the model was asked about: the request's messages, as sent. */
function promptOf(r: RecordedRequest): string {
  const messages = (r.body as { messages?: { content: string }[] }).messages ?? [];
  return messages.map((m) => m.content).join('\n---\n');
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > 45_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

suite('research-assistant batch', () => {
  let fake: FakeServer;
  let box: Sandbox;
  before(async () => {
    fake = await startFakeServer({ flavour: 'llamacpp', ctx: 4096, slots: 4 });
    const { garbage } = corruptPdfs();
    box = new Sandbox({
      'papers/p1-alpha.pdf': await paperPdf('alpha', 1),
      'papers/p2-beta.pdf': await paperPdf('beta', 1),
      'papers/p3-gamma.pdf': await paperPdf('gamma', 12),
      'papers/p4-delta.pdf': await paperPdf('delta', 1),
      'papers/p5-broken.pdf': garbage,
      'papers/p6-scan.pdf': await imageOnlyPdf(),
    });
  });
  after(async () => {
    await fake.close();
    box.dispose();
  });

  const args = (...more: string[]): string[] => [
    'batch',
    'papers',
    '--endpoint',
    fake.url,
    '--concurrency',
    '1',
    '--columns',
    'Aim,Sample size',
    ...more,
  ];

  test('SIGKILL midway: the resumed run asks for no finished paper or map part again; broken and image-only PDFs are reported, not fatal', async () => {
    // The long paper's third part hangs: the process is killed while it waits for it.
    fake.setReply((req) => (promptOf(req).includes('part 3/') ? { delayMs: 60_000 } : {}));
    const child = box.start(args());
    const killed = finished(child);
    await until(() => fake.chatRequests().some((r) => promptOf(r).includes('part 3/')), 'the third part of the long paper');
    child.kill('SIGKILL');
    const first = await killed;
    assert.equal(first.signal, 'SIGKILL');
    const answered = fake.chatRequests().filter((r) => r.endedAt !== undefined && !r.aborted && r.status === 200);
    assert.ok(answered.filter((r) => promptOf(r).includes('part ')).length >= 2, 'two parts of the long paper were answered');
    await until(() => fake.chatRequests().every((r) => r.endedAt !== undefined), 'the hanging request to end');

    fake.setReply({});
    const before = fake.chatRequests().length;
    const resumed = await box.run(args());
    const again = fake.chatRequests().slice(before);
    assert.equal(resumed.code, 1, resumed.stderr);
    const asked = new Set(again.map(promptOf));
    const repeated = answered.filter((r) => asked.has(promptOf(r)));
    assert.deepEqual(
      repeated.map((r) => promptOf(r).slice(0, 120)),
      [],
      'no finished paper or part was asked for again',
    );
    assert.ok(
      again.some((r) => promptOf(r).includes('part 3/')),
      'the unfinished part was asked for',
    );
    assert.ok(
      again.some((r) => promptOf(r).includes('delta')),
      'the paper not reached before the kill was read',
    );

    assert.match(resumed.stdout, /Failed:\n- papers\/p5-broken\.pdf: .+\n- papers\/p6-scan\.pdf: .+/);
    assert.match(resumed.stderr, /warning: papers\/p6-scan\.pdf: .*(no text|image)/i);
    const notes = readdirSync(join(box.workspace, 'Literature'))
      .filter((f) => f.endsWith('.md'))
      .sort();
    assert.deepEqual(notes, ['Literature matrix.md', 'p1-alpha.md', 'p2-beta.md', 'p3-gamma.md', 'p4-delta.md']);
    const note = readFileSync(join(box.workspace, 'Literature', 'p3-gamma.md'), 'utf8');
    // The year, when present, is the generated PDF's creation date (the last resort of the metadata rules).
    assert.match(
      note,
      /^---\ntitle: p3-gamma\n(?:year: \d{4}\n)?source: papers\/p3-gamma\.pdf\nmodel: .+\ndate: \d{4}-\d\d-\d\d\nstatus: summarized\n---\n/,
    );
    assert.match(note, /\[p3-gamma\.pdf\]\(<\.\.\/papers\/p3-gamma\.pdf>\)/);
    assert.match(note, /<!-- research:summary target="paper:\[p3-gamma\.pdf\]\(&lt;|<!-- research:summary target="paper:/);
    assert.match(note, /<!-- \/research:summary -->/);
    const matrix = readFileSync(join(box.workspace, 'Literature', 'Literature matrix.md'), 'utf8');
    for (const p of ['p1-alpha', 'p2-beta', 'p3-gamma', 'p4-delta']) assert.match(matrix, new RegExp(`\\| \\[${p}\\.pdf\\]`));
    assert.doesNotMatch(matrix, /p5-broken|p6-scan/);
  });

  test('a re-run skips unchanged papers (no request), keeps the user’s text, and rebuilds a corrupt queue file from the cache', async () => {
    const matrixFile = join(box.workspace, 'Literature', 'Literature matrix.md');
    writeFileSync(matrixFile, `${readFileSync(matrixFile, 'utf8')}\nMy own conclusions stay.\n`);
    const before = fake.chatRequests().length;
    const rerun = await box.run(args());
    assert.equal(rerun.code, 1, rerun.stderr);
    assert.equal(fake.chatRequests().length - before, 0, 'nothing was asked again');
    assert.match(rerun.stdout, /0 read, 4 unchanged, 2 failed of 6 papers/);
    assert.match(readFileSync(matrixFile, 'utf8'), /My own conclusions stay\.\n$/);

    const queueFile = join(box.workspace, 'Literature', '.research-assistant-batch.json');
    assert.ok(existsSync(queueFile));
    writeFileSync(queueFile, readFileSync(queueFile, 'utf8').slice(0, 200));
    const rebuilt = await box.run([...args(), '--verbose']);
    assert.equal(rebuilt.code, 1, rebuilt.stderr);
    assert.match(rebuilt.stderr, /Batch queue .*truncated or corrupt.*rebuilt/);
    assert.equal(fake.chatRequests().length - before, 0, 'the rebuilt queue re-read the papers from the cache');
    assert.match(readFileSync(matrixFile, 'utf8'), /My own conclusions stay\.\n$/);
  });
});
