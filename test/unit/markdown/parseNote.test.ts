import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { NoteParser, parseNote } from '../../../src/core/markdown/parseNote';
import { blockSection, headingSection, noteSections } from '../../../src/core/markdown/sections';

const NOTE = `---
title: Reading list
bibliography: refs.bib
tags: [a, b]
---
# Reading list

See [the paper](papers/a%20b.pdf#page=3) and [[Other Note]], [[Note|an alias]], [[Note#Results]], [[Note#^key-claim]].
![[paper.pdf]] then [[paper.pdf#page=3]] and [@smith2020; @doe2019, p. 4] and @lee2021 and [[@zot2022]].

> [!summary] A callout
> with a [reference link][ref] and <file:///tmp/x.pdf>

\`\`\`
[[InFence]] [x](fence.pdf) @fenced
\`\`\`

    [[Indented]] code block

Inline \`[[InCode]] [y](code.pdf)\` and mail me@example.com. A footnote[^1].

- a list item with a block id ^item-1
- ![figure](img/fig.png)

[^1]: Footnote text linking [[FootNote]].

[ref]: ./refs/r.md "Title"
[unused]: ./unused.md
`;

suite('parseNote (markdown-it)', () => {
  const note = parseNote(NOTE);

  test('front matter is parsed as YAML', () => {
    assert.deepEqual(note.frontMatter, { title: 'Reading list', bibliography: 'refs.bib', tags: ['a', 'b'] });
    assert.equal(note.bodyStartLine, 5);
  });

  test('every link form is found with its exact position', () => {
    const got = note.links.map((l) => [l.form, l.raw, l.target, l.citekey ?? '', JSON.stringify(l.anchor ?? null), l.label ?? '']);
    assert.deepEqual(got, [
      ['markdown', '[the paper](papers/a%20b.pdf#page=3)', 'papers/a b.pdf', '', '{"kind":"page","from":3,"to":3}', ''],
      ['wikilink', '[[Other Note]]', 'Other Note', '', 'null', ''],
      ['wikilink', '[[Note|an alias]]', 'Note', '', 'null', 'an alias'],
      ['wikilink', '[[Note#Results]]', 'Note', '', '{"kind":"heading","heading":"Results"}', ''],
      ['wikilink', '[[Note#^key-claim]]', 'Note', '', '{"kind":"block","id":"key-claim"}', ''],
      ['embed', '![[paper.pdf]]', 'paper.pdf', '', 'null', ''],
      ['wikilink', '[[paper.pdf#page=3]]', 'paper.pdf', '', '{"kind":"page","from":3,"to":3}', ''],
      ['citation', '[@smith2020; @doe2019, p. 4]', '', 'smith2020', 'null', ''],
      ['citation', '[@smith2020; @doe2019, p. 4]', '', 'doe2019', 'null', ''],
      ['citation', '@lee2021', '', 'lee2021', 'null', ''],
      ['wikilink', '[[@zot2022]]', '', 'zot2022', 'null', ''],
      ['markdown', '[reference link][ref]', './refs/r.md', '', 'null', ''],
      ['autolink', '<file:///tmp/x.pdf>', 'file:///tmp/x.pdf', '', 'null', ''],
      ['image', '![figure](img/fig.png)', 'img/fig.png', '', 'null', 'figure'],
      ['wikilink', '[[FootNote]]', 'FootNote', '', 'null', ''],
    ]);
    for (const link of note.links) {
      assert.equal(NOTE.slice(link.start, link.end), link.raw, `offsets of ${link.raw}`);
      assert.equal(NOTE.split('\n')[link.line]?.includes(link.raw), true, `line of ${link.raw}`);
    }
  });

  test('code blocks, inline code, e-mail addresses and unused definitions yield no links', () => {
    const raws = note.links.map((l) => l.raw).join(' ');
    for (const absent of ['InFence', 'fence.pdf', 'fenced', 'Indented', 'InCode', 'code.pdf', 'example.com', 'unused.md']) {
      assert.ok(!raws.includes(absent), `${absent} must not be a link`);
    }
  });

  test('bare @key is a citation only when the note has a bibliography', () => {
    assert.deepEqual(parseNote('Thanks @alice for the idea.').links, []);
    assert.deepEqual(
      parseNote('Thanks @alice.', { bareCitations: true }).links.map((l) => l.citekey),
      ['alice'],
    );
  });

  test('headings, block ids, callouts and footnotes', () => {
    assert.deepEqual(
      note.headings.map((h) => [h.level, h.text, h.line]),
      [[1, 'Reading list', 5]],
    );
    assert.deepEqual(
      note.blocks.map((b) => b.id),
      ['item-1'],
    );
    assert.deepEqual(
      note.callouts.map((c) => [c.type, c.title]),
      [['summary', 'A callout']],
    );
    assert.equal(note.footnoteCount, 1);
  });

  test('heading and block anchors select only their part', () => {
    const other = parseNote(
      '# Paper\n\nIntro text.\n\n## Methods\n\nWe did X.\n\n### Detail\n\nMore X.\n\n## Results\n\nY rose by 5%. ^claim\n\nOther paragraph.\n',
    );
    assert.equal(headingSection(other, 'methods')?.text, '## Methods\n\nWe did X.\n\n### Detail\n\nMore X.');
    assert.equal(headingSection(other, 'Results')?.text, '## Results\n\nY rose by 5%. ^claim\n\nOther paragraph.');
    assert.equal(headingSection(other, 'Missing'), undefined);
    assert.equal(blockSection(other, 'claim')?.text, 'Y rose by 5%.');
    const sections = noteSections(other, 'Paper');
    assert.deepEqual(
      sections.map((s) => [s.title, s.level, s.location.line]),
      [
        ['Paper', 1, 0],
        ['Methods', 2, 4],
        ['Detail', 3, 8],
        ['Results', 2, 12],
      ],
    );
  });

  test('a link inside a blockquote list item is located in the source', () => {
    const text = '> - see [[Deep Note#Part]]\n>   and [x](y.md)\n';
    const links = parseNote(text).links;
    assert.deepEqual(
      links.map((l) => text.slice(l.start, l.end)),
      ['[[Deep Note#Part]]', '[x](y.md)'],
    );
    assert.deepEqual(
      links.map((l) => l.line),
      [0, 1],
    );
  });

  test('a NoteParser keeps its last few parses, by exact text and option; instances share nothing', () => {
    const parser = new NoteParser(2);
    const a = parser.parse('# A\n\n[[x]]');
    assert.equal(parser.parse('# A\n\n[[x]]'), a, 'same text: the same parse');
    assert.notEqual(parser.parse('# A\n\n[[x]]', { bareCitations: true }), a, 'another option parses anew');
    const b = parser.parse('# B');
    parser.parse('# C');
    parser.parse('# D');
    assert.notEqual(parser.parse('# B'), b, 'bounded: the oldest parse is gone');
    assert.notEqual(new NoteParser().parse('# B'), parser.parse('# B'));
    assert.deepEqual(parseNote('# A\n\n[[x]]').links, a.links);
  });
});
