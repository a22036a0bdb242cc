import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { ask } from '../../../src/core/actions/ask';
import { explainTerm } from '../../../src/core/actions/explainTerm';
import { summarize } from '../../../src/core/actions/summarize';
import { sharedPrefixShare } from '../../fakeServer/index';
import { FakeLlmSession } from '../fakes/fakeLlmSession';
import { bigPaper, makeSource } from '../fakes/sources';
import { makeContext } from './helpers';

const language = 'en' as const;

void suite('prompt layout for prefix reuse', () => {
  void test('Summarize Linked Paper → Ask → Explain Term on one paper share ≥ 95 % of their prompt tokens (fake tokenizer)', async () => {
    const paper = bigPaper('papers/smith2024.pdf', 12, 20_000);
    const note = makeSource(
      'notes/sleep.md',
      [{ title: 'Sleep and memory', text: 'Reading notes on [[smith2024.pdf]]: slow-wave sleep and recall. '.repeat(12) }],
      { kind: 'note' },
    );
    const session = new FakeLlmSession({ contextLength: 65_536, reply: () => '#### Background\n- x (p. 1)' });
    const ctx = makeContext(session);
    const sink = (): void => undefined;
    await summarize(ctx, { sources: [paper], language, templateId: 'summarize-paper' }, sink);
    // The tasks hand over the note first; the prompt still starts with the paper, as the summary's did.
    await ask(ctx, { question: 'How much did recall improve?', sources: [note, paper], language }, sink);
    await explainTerm(ctx, { term: 'slow-wave sleep', sources: [note, paper], language }, sink);
    const [summary, answer, explanation] = session.requests.map((r) => r.messages);
    assert.ok(summary && answer && explanation);
    // Summarize sees only the paper; the follow-ups add the note after it.
    const first = (m: typeof answer): string => m.find((x) => x.role === 'user')?.content.slice(0, 60) ?? '';
    assert.equal(first(answer), first(summary));
    const toAsk = sharedPrefixShare(summary, answer);
    const toExplain = sharedPrefixShare(answer, explanation);
    assert.ok(toAsk >= 0.95, `Summarize → Ask shares ${(toAsk * 100).toFixed(1)} %`);
    assert.ok(toExplain >= 0.95, `Ask → Explain shares ${(toExplain * 100).toFixed(1)} %`);
  });
});
