import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { after, before, suite, test } from 'node:test';
import { startFakeServer, type FakeServer } from '../fakeServer/index';
import { sectionsPdf } from '../fixtures/pdf-gen/generate';
import { finished, NOTE, Sandbox, stderrShows } from './helpers';

/**
 * Checks that `text` is `original` with `blocks` generated blocks inserted at one place: every byte of the original
 * is still there, in order, and what was added is the blocks and the blank lines around them.
 */
function assertInserted(original: string, text: string, blocks: number): void {
  let prefix = 0;
  while (prefix < original.length && original[prefix] === text[prefix]) prefix++;
  let suffix = 0;
  while (suffix < original.length - prefix && original.at(-1 - suffix) === text.at(-1 - suffix)) suffix++;
  assert.equal(prefix + suffix, original.length, 'the original text is kept byte for byte around the insertion');
  const added = text.slice(prefix, text.length - suffix);
  const found = added.match(/<!-- research:(\w+) [^\n]*-->\r?\n[\s\S]*?<!-- \/research:\1 -->/g) ?? [];
  assert.equal(found.length, blocks, added);
  let rest = added;
  for (const block of found) rest = rest.replace(block, '');
  assert.match(rest, /^\s*$/, 'only blank lines besides the blocks');
}

suite('research-assistant --write', () => {
  let fake: FakeServer;
  let box: Sandbox;
  before(async () => {
    fake = await startFakeServer({ flavour: 'ollama', ctx: 32768 });
    box = new Sandbox({ 'papers/genes.pdf': await sectionsPdf(), 'papers/followup.pdf': await sectionsPdf() });
  });
  after(async () => {
    await fake.close();
    box.dispose();
  });

  test('inserts one block at the end of the note (no cursor on the command line); a re-run replaces it; the user text stays byte-identical', async () => {
    const note = box.write('review.md', NOTE);
    const first = await box.run(['summarize', 'review.md', '--write', '--endpoint', fake.url]);
    assert.ok(first.code === 0 || first.code === 1, first.stderr);
    assert.equal(first.stdout, '', 'with --write the result is the file, not stdout');
    assert.match(first.stderr, /inserted the block into .*review\.md/);
    const once = readFileSync(note, 'utf8');
    assertInserted(NOTE, once, 1);
    // Without a cursor a whole-note result goes at the end of the note, after the user's last paragraph.
    assert.match(once, /the sample sizes are small\.\n\n<!-- research:summary target="note"[^]*<!-- \/research:summary -->\n?$/);

    const second = await box.run(['summarize', 'review.md', '--write', '--endpoint', fake.url]);
    assert.ok(second.code === 0 || second.code === 1, second.stderr);
    assert.match(second.stderr, /replaced the block in/);
    assert.match(second.stderr, /from the cache \(no request\)/);
    const twice = readFileSync(note, 'utf8');
    assertInserted(NOTE, twice, 1);
    const third = await box.run(['summarize', 'review.md', '--write', '--endpoint', fake.url]);
    assert.ok(third.code === 0 || third.code === 1, third.stderr);
    assert.equal(readFileSync(note, 'utf8'), twice, 'a re-run on an unchanged note changes nothing');
  });

  test('different questions get their own blocks; the same question replaces its own', async () => {
    const note = box.write('ask.md', NOTE);
    for (const question of ['How many samples?', 'What rose by 72%?', 'How many samples?']) {
      const r = await box.run(['ask', 'ask.md', question, '--write', '--endpoint', fake.url]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
    }
    const text = readFileSync(note, 'utf8');
    assert.equal(text.match(/<!-- research:answer /g)?.length, 2);
    assertInserted(NOTE, text, 2);
  });

  test('a note with a byte-order mark and CRLF line ends keeps both', async () => {
    const crlf = `\uFEFF${NOTE.replace(/\n/g, '\r\n')}`;
    const note = box.write('windows.md', crlf);
    for (let i = 0; i < 2; i++) {
      const r = await box.run(['summarize', 'windows.md', '--write', '--endpoint', fake.url]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
    }
    const text = readFileSync(note, 'utf8');
    assert.ok(text.startsWith('\uFEFF# ') || text.startsWith('\uFEFF---'), 'the byte-order mark is kept');
    assert.doesNotMatch(text, /[^\r]\n/, 'no bare LF line end was introduced');
    assertInserted(crlf, text, 1);
  });

  test('a note saved by someone else meanwhile is not overwritten: the block goes to stdout, exit 1', async () => {
    const slow = await startFakeServer({ flavour: 'ollama', ctx: 32768, tokensPerSecond: 40 });
    try {
      const note = box.write('busy.md', NOTE);
      const child = box.start(['summarize', 'busy.md', '--write', '--endpoint', slow.url]);
      const result = finished(child);
      await stderrShows(child, /receiving the answer/);
      appendFileSync(note, '\nTyped while the model was answering.\n');
      const r = await result;
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /busy\.md changed while the command ran, so the block was not written/);
      assert.match(r.stdout, /^<!-- research:summary /);
      assert.equal(readFileSync(note, 'utf8'), `${NOTE}\nTyped while the model was answering.\n`);
    } finally {
      await slow.close();
    }
  });
});
