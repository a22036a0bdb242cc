import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { AssistantError, hasErrorCode, isCancellationError } from '../../../src/core';
import { summarize } from '../../../src/core/actions/summarize';
import { compare } from '../../../src/core/actions/compare';
import { ask } from '../../../src/core/actions/ask';
import { explainTerm } from '../../../src/core/actions/explainTerm';
import { draft } from '../../../src/core/actions/draft';
import { runPrompt } from '../../../src/core/actions/runPrompt';
import { InMemoryKeyValueStore } from '../../../src/core/cache/extractionCache';
import { detectLanguage, resolveLanguage } from '../../../src/core/language';
import { FakeLlmSession, countFakeTokens } from '../fakes/fakeLlmSession';
import { bigPaper, makeSource } from '../fakes/sources';
import { makeContext } from './helpers';

const note = makeSource('notes.md', [{ title: 'Sleep', text: 'Slow-wave sleep improved recall by 12% (n = 24).' }], { kind: 'note' });

void suite('summarize', () => {
  void test('one streamed request: sources first, instructions and localised headings last', async () => {
    const session = new FakeLlmSession({ reply: () => '#### Background\n- x (p. 1)' });
    let streamed = '';
    const r = await summarize(makeContext(session), { sources: [note], language: 'en' }, (d) => (streamed += d));
    assert.equal(streamed, '#### Background\n- x (p. 1)');
    assert.equal(r.text, streamed);
    assert.equal(session.requests.length, 1);
    const user = session.requests[0]?.messages.at(-1)?.content ?? '';
    assert.ok(user.startsWith('<source id="notes.md"'), 'source text first');
    assert.ok(user.indexOf('</source>') < user.indexOf('Task:'), 'instructions after the sources');
    assert.match(user, /#### Background\n#### Methods\n#### Findings\n#### Significance/);
    assert.equal(session.requests[0]?.maxTokens, 1024);
  });

  void test('zh-CN uses the Chinese headings and a single English language line', async () => {
    const session = new FakeLlmSession({ reply: () => 'ok' });
    await summarize(
      makeContext(session),
      { sources: [note], language: resolveLanguage('auto', '这是一篇关于睡眠与记忆巩固的笔记，包含 slow-wave sleep 的讨论。') },
      () => undefined,
    );
    const user = session.requests[0]?.messages.at(-1)?.content ?? '';
    assert.match(user, /#### 背景\n#### 方法\n#### 发现\n#### 意义/);
    assert.match(user, /Write the answer in Simplified Chinese\. Keep technical terms as 中文 \(English\)/);
    assert.equal(detectLanguage('An English note with one 词.'), 'en');
  });

  void test('re-running unchanged input makes no request; regenerate bypasses the cache', async () => {
    const store = new InMemoryKeyValueStore();
    const session = new FakeLlmSession({ reply: (_r, i) => `answer ${i}` });
    await summarize(makeContext(session, { store }), { sources: [note], language: 'en' }, () => undefined);
    let got = '';
    // How fast a cache hit is belongs to the bench (a timed assertion here failed on a loaded machine); this test
    // proves the hit itself: no request, the cached text delivered.
    const again = await summarize(makeContext(session, { store }), { sources: [note], language: 'en' }, (d) => (got += d));
    assert.equal(session.requests.length, 1);
    assert.equal(again.fromCache, true);
    assert.equal(again.requests, 0);
    assert.equal(got, 'answer 0');
    const ctx = makeContext(session, { store });
    const regen = await summarize({ ...ctx, cache: ctx.cache.regenerating() }, { sources: [note], language: 'en' }, () => undefined);
    assert.equal(regen.text, 'answer 1');
    assert.equal(session.requests.length, 2);
  });

  void test('a paper 4× larger than a 4096-token context goes through map-reduce without losing a sentence', async () => {
    const paper = bigPaper('papers/big.pdf', 12, 4 * 4096);
    const session = new FakeLlmSession({
      contextLength: 4096,
      parallelSlots: 1,
      reply: (req) => {
        const user = req.messages.at(-1)?.content ?? '';
        return user.includes('notes of part') ? 'final summary' : `notes on ${user.match(/Section \d+/g)?.join(',')}`;
      },
    });
    const progress: string[] = [];
    const r = await summarize(
      makeContext(session, { config: { maxOutputTokens: 512 }, progress }),
      { sources: [paper], language: 'en' },
      () => undefined,
    );
    assert.equal(r.text, 'final summary');
    assert.ok(r.parts >= 4, `parts: ${r.parts}`);
    assert.equal(session.requests.length, r.parts + 1);
    // Every request fitted the context (the fake rejects otherwise) and every sentence was sent exactly once.
    const mapText = session.requests
      .slice(0, -1)
      .map((q) => q.messages.at(-1)?.content ?? '')
      .join('\n');
    for (const s of paper.sections) {
      for (const sentence of s.text.split('. ').filter((x) => x.startsWith('Sentence')))
        assert.ok(mapText.includes(sentence), `missing: ${sentence}`);
    }
    assert.ok(session.servedPromptTokens.every((t) => t + 512 <= 4096));
    assert.ok(progress.includes(`part ${r.parts}/${r.parts}`), progress.join(' | '));
  });

  void test('map runs concurrently up to the parallel slots', async () => {
    const paper = bigPaper('papers/big.pdf', 8, 4 * 4096);
    const session = new FakeLlmSession({ contextLength: 4096, parallelSlots: 4, reply: () => ({ text: 'n', delayMs: 20 }) });
    await summarize(makeContext(session, { config: { maxOutputTokens: 512 } }), { sources: [paper], language: 'en' }, () => undefined);
    assert.equal(session.maxActive, 4);
  });

  void test('cancel at half, then re-run: no finished part is requested again', async () => {
    const paper = bigPaper('papers/big.pdf', 8, 4 * 4096);
    const store = new InMemoryKeyValueStore();
    const controller = new AbortController();
    let served = 0;
    const session = new FakeLlmSession({
      contextLength: 4096,
      reply: () => {
        served += 1;
        if (served === 3) controller.abort();
        return 'notes';
      },
    });
    await assert.rejects(
      summarize(
        makeContext(session, { store, signal: controller.signal, config: { maxOutputTokens: 512 } }),
        { sources: [paper], language: 'en' },
        () => undefined,
      ),
      (e) => isCancellationError(e),
    );
    const firstRun = session.requests.map((q) => q.messages.at(-1)?.content);
    const finished = firstRun.slice(0, 2);
    const second = new FakeLlmSession({ contextLength: 4096, reply: () => 'notes' });
    const r = await summarize(
      makeContext(second, { store, config: { maxOutputTokens: 512 } }),
      { sources: [paper], language: 'en' },
      () => undefined,
    );
    const secondRun = second.requests.map((q) => q.messages.at(-1)?.content);
    for (const f of finished) assert.ok(!secondRun.includes(f), 'a finished part was repeated');
    assert.equal(second.requests.length, r.parts + 1 - 2);
  });

  void test('a server overflow error on a part triggers a split and retry, not a failure', async () => {
    const paper = bigPaper('papers/big.pdf', 4, 3 * 4096);
    let overflowOnce = true;
    const session = new FakeLlmSession({
      contextLength: 4096,
      reply: (req) => {
        const user = req.messages.at(-1)?.content ?? '';
        if (overflowOnce && user.includes('part 1/')) {
          overflowOnce = false;
          return new AssistantError('ContextTooLarge', 'server says too large');
        }
        return user.includes('notes of part') ? 'final' : 'notes';
      },
    });
    const r = await summarize(
      makeContext(session, { config: { maxOutputTokens: 512 } }),
      { sources: [paper], language: 'en' },
      () => undefined,
    );
    assert.equal(r.text, 'final');
    assert.ok(
      session.requests.some(
        (q) => (q.messages.at(-1)?.content ?? '').includes('part 1/') && (q.messages.at(-1)?.content ?? '').includes('.1"'),
      ),
      'the part was split',
    );
  });
});

void suite('compare', () => {
  const papers = [
    makeSource('papers/a.pdf', [{ title: 'Methods', text: 'We enrolled 24 adults. We aim to test sleep.', page: 2 }]),
    makeSource('papers/b.pdf', [{ title: 'Methods', text: 'A nap study with 40 students.', page: 3 }]),
    makeSource('papers/c.pdf', [{ title: 'Methods', text: 'A cohort of 100.', page: 1 }]),
  ];
  const cell = (v: string) => ({ value: v, quote: v, locator: 'p. 1' });

  void test('a paper whose JSON is malformed gets an error row; the others render', async () => {
    const session = new FakeLlmSession({
      reply: (req) => {
        const user = req.messages.at(-1)?.content ?? '';
        if (user.includes('papers/b.pdf')) return '{"aim": {"value": "broken"';
        const keys = Object.keys((req.jsonSchema?.schema as { properties: object }).properties);
        return JSON.stringify(Object.fromEntries(keys.map((k) => [k, cell(`${k} value`)])));
      },
    });
    const r = await compare(makeContext(session), { papers, columns: ['Aim', 'Sample size'], language: 'en' });
    assert.equal(r.rows.length, 3);
    assert.equal(r.rows[1]?.error, 'BadResponse');
    assert.equal(r.rows[0]?.cells?.['Sample size']?.value, 'sample_size value');
    assert.equal(r.rows.filter((row) => row.error).length, 1);
  });

  void test('an added column or paper asks only for what is new', async () => {
    const store = new InMemoryKeyValueStore();
    const asked: string[][] = [];
    const session = new FakeLlmSession({
      reply: (req) => {
        const keys = Object.keys((req.jsonSchema?.schema as { properties: object }).properties);
        asked.push(keys);
        return JSON.stringify(Object.fromEntries(keys.map((k) => [k, cell(k)])));
      },
    });
    await compare(makeContext(session, { store }), { papers: papers.slice(0, 2), columns: ['Aim'], language: 'en' });
    assert.equal(asked.length, 2);
    const r = await compare(makeContext(session, { store }), { papers, columns: ['Aim', 'Data'], language: 'en' });
    assert.deepEqual(asked.slice(2), [['data'], ['data'], ['aim', 'data']]);
    assert.equal(r.cachedCells, 2);
    const again = await compare(makeContext(session, { store }), { papers, columns: ['Aim', 'Data'], language: 'en' });
    assert.equal(again.requests, 0);
  });
});

void suite('ask, explain, draft, run prompt', () => {
  const paper = makeSource('papers/a.pdf', [{ title: 'Results', text: 'Recall improved by 12%.', page: 4 }], {
    link: { raw: '[[papers/a.pdf]]', start: 0, end: 16, line: 3 },
  });

  void test("ask passes the question and the note's own citation syntax", async () => {
    const session = new FakeLlmSession({ reply: () => 'The sources do not contain the answer.' });
    const r = await ask(makeContext(session), { question: 'What was n?', sources: [note, paper], language: 'en' }, () => undefined);
    assert.equal(r.text, 'The sources do not contain the answer.');
    const user = session.requests[0]?.messages.at(-1)?.content ?? '';
    assert.match(user, /source id "papers\/a\.pdf" → cite as \[\[papers\/a\.pdf\]\]/);
    assert.match(user, /Question: What was n\?/);
  });

  void test('explain term and draft use their templates', async () => {
    const session = new FakeLlmSession({ reply: () => 'x' });
    await explainTerm(makeContext(session), { term: 'slow-wave sleep', sources: [paper], language: 'en' }, () => undefined);
    await draft(makeContext(session), { outline: '## Background\n- sleep and memory', sources: [paper], language: 'en' }, () => undefined);
    assert.match(session.requests[0]?.messages.at(-1)?.content ?? '', /explain the term "slow-wave sleep"/);
    assert.match(session.requests[1]?.messages.at(-1)?.content ?? '', /Outline to draft:\n## Background/);
  });

  void test('run prompt rejects a json template and fills the standard variables', async () => {
    const session = new FakeLlmSession({ reply: () => 'x' });
    await assert.rejects(
      runPrompt(
        makeContext(session),
        { templateId: 'compare', sources: [paper], language: 'en', selection: '', noteTitle: 'n' },
        () => undefined,
      ),
      /output: json/,
    );
    await runPrompt(
      makeContext(session),
      { templateId: 'ask', sources: [paper], language: 'en', selection: 'sel', noteTitle: 'n', extra: { question: 'Q?' } },
      () => undefined,
    );
    assert.match(session.requests[0]?.messages.at(-1)?.content ?? '', /Question: Q\?/);
  });

  void test('no readable source is NoInput, not an empty request', async () => {
    const session = new FakeLlmSession();
    await assert.rejects(
      summarize(makeContext(session), { sources: [{ ...paper, status: 'noText', text: '' }], language: 'en' }, () => undefined),
      (e) => hasErrorCode(e, 'NoInput'),
    );
    assert.equal(session.requests.length, 0);
    assert.ok(countFakeTokens('abcd') === 1);
  });
});

void suite('own blocks are never sent back', () => {
  void test('a note before and after an insertion sends the same source text', async () => {
    const { renderBlock } = await import('../../../src/core/insertion/block');
    const { withoutOwnBlocks } = await import('../../../src/core/actions/ownBlocks');
    const { formatSource } = await import('../../../src/core/prompts/sourceBlock');
    const before = '# 睡眠\n\n慢波睡眠促进记忆。\n';
    const block = renderBlock(
      { kind: 'summary', attributes: { target: 'note', sources: ['n.md'], model: 'm', date: '2026-11-22' }, style: 'callout', title: 'S' },
      '#### 背景\n- x',
    ).slice(0, -1);
    const after = `# 睡眠\n\n${block}\n\n慢波睡眠促进记忆。\n`;
    const src = (text: string) => makeSource('n.md', [], { kind: 'note', text });
    assert.equal(formatSource(withoutOwnBlocks(src(after))), formatSource(withoutOwnBlocks(src(before))));
  });
});
