import assert from 'node:assert/strict';
import { after, before, suite, test } from 'node:test';
import { startFakeServer, type FakeServer } from '../fakeServer/index';
import { DEFAULT_EMBEDDING_MODELS } from '../fakeServer/engine';
import { sectionsPdf } from '../fixtures/pdf-gen/generate';
import { Sandbox } from './helpers';

const NOTE = '# Review\n\nSee [[papers/genes.pdf]].\n';
const SLEEP = '# Sleep notes\n\n## Results\n\nSlow-wave sleep improved recall by 12% in the treatment group.\n';

/** The chat requests' last user messages (what the model was asked). */
function prompts(fake: FakeServer): string[] {
  return fake
    .chatRequests()
    .map((r) => (r.body as { messages?: { content?: unknown }[] }).messages?.at(-1)?.content)
    .filter((c): c is string => typeof c === 'string');
}

suite('research-assistant index, search and ask --library (real library, fake server)', () => {
  let fake: FakeServer;
  let box: Sandbox;
  before(async () => {
    fake = await startFakeServer({ flavour: 'ollama', ctx: 32768 });
    box = new Sandbox({
      'review.md': NOTE,
      'papers/genes.pdf': await sectionsPdf(),
      'notes/sleep.md': SLEEP,
      'papers/broken.pdf': '%PDF-1.4 not really',
    });
  });
  after(async () => {
    await fake.close();
    box.dispose();
  });

  test('index: builds, names the failed file with its reason, exit 1; --status (--json) lists every file', async () => {
    const first = await box.run(['index', '--endpoint', fake.url]);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stdout, /^3\/4 files indexed \(\d+ passages\); 1 failed, 0 skipped/);
    assert.match(first.stderr, /failed {3}papers\/broken\.pdf: /);
    const status = await box.run(['index', '--status', '--json', '--endpoint', fake.url]);
    const parsed = JSON.parse(status.stdout) as { indexed: number; files: { path: string; state: string; reason?: string }[] };
    assert.equal(parsed.indexed, 3);
    const broken = parsed.files.find((f) => f.path === 'papers/broken.pdf');
    assert.equal(broken?.state, 'failed');
    assert.ok(broken?.reason);
    const text = await box.run(['index', '--status', '--endpoint', fake.url]);
    assert.match(text.stdout, /^failed {3}papers\/broken\.pdf: /);
    assert.match(text.stdout, /indexed {2}papers\/genes\.pdf \(\d+ passages\)/);
  });

  test('search --json: [{path, page, section, score, text}] with the PDF page; no model request', async () => {
    const chats = fake.chatRequests().length;
    const r = await box.run(['search', 'sequenced samples mixed model', '--limit', '3', '--json', '--endpoint', fake.url]);
    assert.equal(r.code, 0, r.stderr);
    const hits = JSON.parse(r.stdout) as { path: string; page: number | null; section: string | null; score: number; text: string }[];
    assert.ok(hits.length >= 1 && hits.length <= 3);
    assert.deepEqual(Object.keys(hits[0]!), ['path', 'page', 'section', 'score', 'text']);
    assert.equal(hits[0]!.path, 'papers/genes.pdf');
    assert.equal(hits[0]!.page, 1);
    assert.match(hits[0]!.text, /48 samples/);
    assert.equal(fake.chatRequests().length, chats);
  });

  test('ask --library: the passages are sent, cited in the note’s syntax; nothing relevant is answered without a request', async () => {
    const r = await box.run(['ask', '--library', 'review.md', 'How much did slow-wave sleep improve recall?', '--endpoint', fake.url]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.match(r.stdout, /<!-- research:answer target="library:/);
    const prompt = prompts(fake).at(-1) ?? '';
    assert.match(prompt, /cite as \[\[notes\/sleep\.md\]\]/);
    assert.match(prompt, /improved recall by 12%/);
    const chats = fake.chatRequests().length;
    const none = await box.run(['ask', '--library', 'review.md', 'What is the boiling point of tungsten?', '--endpoint', fake.url]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /Not in the library/);
    assert.equal(fake.chatRequests().length, chats);
  });
});

suite('research-assistant index and ask --library with an embedding model (fake Ollama)', () => {
  let fake: FakeServer;
  let box: Sandbox;
  before(async () => {
    fake = await startFakeServer({ flavour: 'ollama', ctx: 32768, embeddingModels: DEFAULT_EMBEDDING_MODELS.ollama });
    box = new Sandbox({ 'question.md': '# 问题\n\n这是我的读书笔记。\n', 'notes/sleep.md': SLEEP });
  });
  after(async () => {
    await fake.close();
    box.dispose();
  });

  test('index waits for the vectors (a process has no background), reporting its progress; they stay for the next run', async () => {
    const r = await box.run(['index', '--endpoint', fake.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^2\/2 files indexed \(\d+ passages\); 0 failed, 0 skipped; vectors: qwen3-embedding:0\.6b/);
    assert.match(r.stderr, /embedding passages: \d+\/\d+ \(qwen3-embedding:0\.6b\)/);
    assert.ok(fake.embeddingRequests().length >= 1);
    const status = await box.run(['index', '--status', '--json', '--endpoint', fake.url]);
    const parsed = JSON.parse(status.stdout) as { embeddingModel: string | null; files: { path: string; vectors?: boolean }[] };
    assert.equal(parsed.embeddingModel, 'qwen3-embedding:0.6b');
    assert.ok(parsed.files.every((f) => f.vectors === true));
    // Nothing changed: the next update embeds no passage again (a new process only asks the model for its
    // dimensions once, with a probe text of its own).
    const embeds = fake.embeddingRequests().length;
    const again = await box.run(['index', '--endpoint', fake.url]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /embedding passages/);
    const inputs = fake
      .embeddingRequests()
      .slice(embeds)
      .flatMap((req) => [(req.body as { input?: unknown }).input].flat());
    assert.deepEqual(inputs, ['dimension probe']);
  });

  test('search does not wait for vectors: a new file is found by words, and stderr says how to embed it', async () => {
    box.write('notes/naps.md', '# Naps\n\nA 90-minute nap restored recall after sleep deprivation.\n');
    const embeds = fake.embeddingRequests().length;
    const r = await box.run(['search', 'nap restored recall', '--endpoint', fake.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /notes\/naps\.md/);
    assert.match(r.stderr, /1 file has no vectors yet and is found by words only; `research-assistant index` computes them/);
    const inputs = fake
      .embeddingRequests()
      .slice(embeds)
      .flatMap((req) => [(req.body as { input?: unknown }).input].flat());
    assert.ok(
      inputs.every((i) => i === 'dimension probe' || i === 'nap restored recall'),
      JSON.stringify(inputs),
    );
    const index = await box.run(['index', '--endpoint', fake.url]);
    assert.match(index.stderr, /embedding passages: \d+\/\d+/);
    const again = await box.run(['search', 'nap restored recall', '--endpoint', fake.url]);
    assert.doesNotMatch(again.stderr, /no vectors yet/);
  });

  test('a Chinese question the vectors answer only with English passages: says relevance cannot be checked, sends nothing', async () => {
    const chats = fake.chatRequests().length;
    const r = await box.run(['ask', '--library', 'question.md', '睡眠对记忆有什么影响？', '--endpoint', fake.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /另一种语言/);
    assert.equal(fake.chatRequests().length, chats);
  });
});
