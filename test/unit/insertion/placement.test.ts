import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import type { BlockSpec } from '../../../src/core/insertion/block';
import { applyEdits } from '../../../src/core/insertion/editPlan';
import { afterSelection, placementOffset, wholeNotePlacement, type Placement } from '../../../src/core/insertion/placement';
import { StreamingInsertion, planTarget } from '../../../src/core/insertion/streaming';
import { parseNote } from '../../../src/core/markdown/parseNote';
import { TASKS } from '../../../src/core/tasks';
import type { TaskId, TaskInput } from '../../../src/core/tasks/task';
import { DEFAULT_CONFIG, resolveConfig } from '../../../src/core/config';
import { PromptLibrary } from '../../../src/core/prompts/promptLibrary';
import { isPaperLink } from '../../../src/core/tasks/task';

/** The demo workspace's note, as a new user finds it. */
const NOTE = `---
title: Urban heat islands — reading notes
bibliography: refs.bib
tags: [literature-review, urban-climate]
---

# Urban heat islands — reading notes

Working notes for the background section of the cool-roofs grant proposal.
Select a paragraph and run **Research: Summarize**.

## Papers

- Field campaign in three cities: [[papers/okafor2019-heat-island.pdf]]
- Cool-roof retrofit trial: [Zhang & Müller 2021](papers/zhang2021-cool-roofs.pdf)
- Street trees and night-time temperature: [[papers/silva2020-street-trees.pdf|Silva et al.]]
- The review everyone cites: [@okafor2019], see also [@zhang2021, p. 4].
- Definitions I keep forgetting: [[Methods glossary]]

## Open questions

- Do cool roofs help at night, when the heat island is strongest?
- How much of the measured effect is due to where the weather stations were placed?

| City | Effect |
|------|--------|
| Lagos | 3 K |

> [!tip] Reminder
> Check the station metadata.

\`\`\`python
# not a heading
x = 1
\`\`\`

## Draft outline

### Background

### Why roofs and trees together
`;

const at = (text: string, s: string): number => {
  const i = text.indexOf(s);
  assert.ok(i >= 0, `"${s}" not in the note`);
  return i;
};
/** The text of the line a block placed by `placement` follows. */
function lineBefore(text: string, placement: Placement): string {
  const offset = placementOffset(text, placement);
  return text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset);
}
/** The note with a block inserted as the assistant does (planTarget + the final edit). */
function insert(text: string, placement: Placement, target = 'x'): string {
  const spec: BlockSpec = {
    kind: 'summary',
    attributes: { target, sources: ['n.md'], model: 'm', date: '2026-01-01' },
    style: 'callout',
    title: 'Summary',
  };
  const plan = planTarget(text, { kind: 'summary', target }, placementOffset(text, placement));
  return applyEdits(text, [new StreamingInsertion(spec, plan).finalInsert('Body.')]);
}

void suite('placement: after the block holding the target, never inside it', () => {
  test('a link in item 2 of a list: after the whole list, the list stays one list', () => {
    const placement: Placement = { after: 'block', at: at(NOTE, '[Zhang') };
    assert.equal(lineBefore(NOTE, placement), '- Definitions I keep forgetting: [[Methods glossary]]');
    const after = insert(NOTE, placement);
    const lists = parseNote(after).blockSpans.filter((s) => after.split('\n')[s.startLine]?.startsWith('- Field'));
    assert.equal(lists.length, 1);
    assert.match(
      after,
      /\[\[Methods glossary\]\]\n\n<!-- research:summary [^\n]*-->\n> \[!summary\] Summary\n>\n> Body\.\n<!-- \/research:summary -->\n\n## Open questions/,
    );
  });

  test('a selection ending inside a paragraph, a table, a callout or fenced code: after all of it', () => {
    const para = at(NOTE, 'Working notes');
    assert.equal(lineBefore(NOTE, afterSelection({ start: para, end: para + 10 })), 'Select a paragraph and run **Research: Summarize**.');
    const cell = at(NOTE, 'Lagos');
    assert.equal(lineBefore(NOTE, afterSelection({ start: cell, end: cell + 3 })), '| Lagos | 3 K |');
    const quote = at(NOTE, 'Check the');
    assert.equal(lineBefore(NOTE, afterSelection({ start: quote, end: quote + 5 })), '> Check the station metadata.');
    const code = at(NOTE, 'x = 1');
    assert.equal(lineBefore(NOTE, { after: 'block', at: code }), '```');
  });

  test('a selection ending at the start of a line (a whole line selected) ends on the line before', () => {
    const start = at(NOTE, '- Do cool');
    const end = at(NOTE, '- How much');
    assert.equal(
      lineBefore(NOTE, afterSelection({ start, end })),
      '- How much of the measured effect is due to where the weather stations were placed?',
    );
    const para = at(NOTE, 'Working notes');
    const nextBlank = at(NOTE, '\n\n## Papers') + 1;
    assert.equal(lineBefore(NOTE, afterSelection({ start: para, end: nextBlank })), 'Select a paragraph and run **Research: Summarize**.');
  });

  test('inside a generated block: after its closing marker', () => {
    const once = insert(NOTE, { after: 'block', at: at(NOTE, '[Zhang') }, 'one');
    const body = at(once, '> Body.');
    assert.equal(lineBefore(once, { after: 'block', at: body }), '<!-- /research:summary -->');
  });
});

void suite('placement: whole-note results at the end of the section holding the cursor', () => {
  test('cursor in a section: after its last block, before the next heading of any level', () => {
    assert.deepEqual(wholeNotePlacement(NOTE, at(NOTE, 'Cool-roof')), { after: 'section', at: at(NOTE, 'Cool-roof') });
    assert.equal(
      lineBefore(NOTE, wholeNotePlacement(NOTE, at(NOTE, 'Cool-roof'))),
      '- Definitions I keep forgetting: [[Methods glossary]]',
    );
    // The section's last block is fenced code holding a `#` line: still the end of "Open questions".
    assert.equal(lineBefore(NOTE, wholeNotePlacement(NOTE, at(NOTE, '## Open questions'))), '```');
    // A heading with sub-headings: its own text ends at the first sub-heading.
    assert.equal(lineBefore(NOTE, wholeNotePlacement(NOTE, at(NOTE, '## Draft outline') + 3)), '## Draft outline');
    assert.equal(
      lineBefore(NOTE, wholeNotePlacement(NOTE, at(NOTE, 'Working notes'))),
      'Select a paragraph and run **Research: Summarize**.',
    );
  });

  test('cursor in the front matter or on the title line, or no cursor: at the end of the note', () => {
    for (const cursor of [0, at(NOTE, 'tags:'), at(NOTE, '# Urban') + 4, undefined]) {
      assert.deepEqual(wholeNotePlacement(NOTE, cursor), { after: 'note' }, String(cursor));
    }
    assert.equal(lineBefore(NOTE, { after: 'note' }), '### Why roofs and trees together');
    const after = insert(NOTE, { after: 'note' });
    assert.ok(after.startsWith(NOTE.trimEnd()));
    assert.match(after, /### Why roofs and trees together\n\n<!-- research:summary [^\n]*-->\n[\s\S]*<!-- \/research:summary -->\n$/);
  });

  test('the end of the note comes before trailing footnote definitions', () => {
    const text = '# T\n\nSleep[^a] matters.\n\n[^a]: A definition\n    continued.\n\n[^b]: Another.\n';
    assert.equal(lineBefore(text, { after: 'note' }), 'Sleep[^a] matters.');
    const noTitle = 'Just a paragraph.\nSecond line.\n';
    assert.equal(lineBefore(noTitle, wholeNotePlacement(noTitle, 0)), 'Second line.');
    assert.equal(placementOffset('', { after: 'note' }), 0);
  });

  test('a re-run replaces its own block where it is, whatever the rule says now', () => {
    const once = insert(NOTE, { after: 'note' }, 'note');
    const twice = insert(once, wholeNotePlacement(once, at(once, 'Cool-roof')), 'note');
    assert.equal(twice, once);
  });
});

void suite('placement per command (the task descriptors)', () => {
  const prompts = PromptLibrary.load([], []);
  const prepare = (task: TaskId, request: Partial<TaskInput['request']>, args: TaskInput['args'] = {}): Placement => {
    const note = { uri: 'file:///w/n.md', version: 1, languageId: 'markdown', getText: () => NOTE };
    return TASKS[task].prepare({
      request: { task, note, ...request },
      args,
      text: NOTE,
      config: resolveConfig({ ...DEFAULT_CONFIG, explainTermStyle: 'callout' }),
      parse: parseNote,
      paperLinks: parseNote(NOTE).links.filter(isPaperLink),
      prompts,
    }).placement;
  };
  const cursorOnItem1 = at(NOTE, 'okafor2019-heat') + 2;

  test('Summarize Linked Paper and Compare on item 1 of the list: after the list', () => {
    const list = '- Definitions I keep forgetting: [[Methods glossary]]';
    assert.equal(lineBefore(NOTE, prepare('summarizePaper', { cursor: cursorOnItem1 })), list);
    assert.equal(lineBefore(NOTE, prepare('summarizePaper', {}, { link: '[[papers/silva2020-street-trees.pdf|Silva et al.]]' })), list);
    assert.equal(lineBefore(NOTE, prepare('compare', { cursor: cursorOnItem1 }, { columns: ['Aim'] })), list);
  });

  test('Summarize, Ask, Run Prompt without selection: the section of the cursor, the end of the note from the front matter', () => {
    const last = '### Why roofs and trees together';
    assert.equal(lineBefore(NOTE, prepare('summarize', { cursor: 0 })), last);
    assert.equal(lineBefore(NOTE, prepare('ask', { cursor: at(NOTE, 'title:') }, { question: 'Why?' })), last);
    assert.equal(lineBefore(NOTE, prepare('ask', {}, { question: 'Why?' })), last);
    const openQuestions = '```';
    assert.equal(lineBefore(NOTE, prepare('summarize', { cursor: at(NOTE, '- Do cool') })), openQuestions);
    assert.equal(lineBefore(NOTE, prepare('ask', { cursor: at(NOTE, '- Do cool') }, { question: 'Why?' })), openQuestions);
  });

  test('selection-based: after the block holding the selection end; Draft for a heading: its section; Explain Term: the term block', () => {
    const s = at(NOTE, 'Field campaign');
    assert.equal(
      lineBefore(NOTE, prepare('summarize', { selection: { start: s, end: s + 5 }, cursor: s + 5 })),
      '- Definitions I keep forgetting: [[Methods glossary]]',
    );
    assert.equal(lineBefore(NOTE, prepare('draft', {}, { heading: 'Background' })), '### Background');
    assert.equal(lineBefore(NOTE, prepare('draft', { cursor: at(NOTE, '## Draft outline') })), '## Draft outline');
    assert.equal(lineBefore(NOTE, prepare('explainTerm', { cursor: at(NOTE, 'station metadata') })), '> Check the station metadata.');
  });
});
