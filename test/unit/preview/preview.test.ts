import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import MarkdownIt from 'markdown-it';
import footnote from 'markdown-it-footnote';
import { renderBlock } from '../../../src/core/insertion/block';
import { renderTable } from '../../../src/core/insertion/table';
import { extendMarkdownIt } from '../../../src/vscode/preview';
import { parseWikilink, wikilinkHref } from '../../../src/vscode/preview/wikilinks';
import stringWidth from 'string-width';

// VS Code's preview renders with html enabled (the blocks' markers are HTML comments).
const preview = (): MarkdownIt => extendMarkdownIt(new MarkdownIt({ html: true }));

void suite('markdown preview plugins', () => {
  void test('callouts become titled boxes; the marker text is gone', () => {
    const summary = renderBlock(
      { kind: 'summary', attributes: { target: 'note', sources: [], model: 'm', date: '2026-12-07' }, style: 'callout', title: 'Summary' },
      '- Cool roofs lowered **daytime** air temperature.',
    );
    const question = '> [!question] What about nights?\n>\n> Only one study measured them.\n';
    const html = preview().render(`${summary}\n${question}`);
    assert.doesNotMatch(html, /\[!summary\]|\[!question\]/u);
    assert.match(html, /<div class="callout" data-callout="summary">/u);
    assert.match(html, /<div class="callout-title-inner">Summary<\/div>/u);
    assert.match(html, /<div class="callout-content">(?:<p><\/p>)?\s*<ul>\s*<li>Cool roofs lowered <strong>daytime<\/strong>/u);
    assert.match(html, /data-callout="question"[\s\S]*callout-title-inner">What about nights\?<\/div>[\s\S]*Only one study/u);
    // Plain blockquotes stay blockquotes.
    assert.match(preview().render('> just a quote\n'), /^<blockquote>/u);
  });

  void test('a callout title is inline markdown like the rest of the note', () => {
    assert.match(preview().render('> [!info] *Heat island* index\n> body\n'), /callout-title-inner"><em>Heat island<\/em> index<\/div>/u);
    assert.match(
      new MarkdownIt().use(extendMarkdownIt).render('> [!note] <b>x</b>\n'),
      /callout-title-inner">&lt;b&gt;x&lt;\/b&gt;<\/div>/u,
    );
  });

  void test('footnotes of a comparison table render as numbered references with the quotes at the end', () => {
    const table = renderTable(
      ['Sample size'],
      [
        {
          paper: '[[papers/silva2020-street-trees.pdf|Silva et al.]]',
          cells: { 'Sample size': { value: '42 streets', quote: 'We measured 42 streets.', locator: 'p. 3' } },
        },
      ],
      { paperHeader: 'Paper', failedLabel: 'extraction failed', width: stringWidth },
    );
    const html = preview().render(table);
    assert.doesNotMatch(html, /\[\^/u);
    assert.match(html, /<td>42 streets<sup class="footnote-ref"><a href="#fn1" id="fnref1">\[1\]<\/a><\/sup><\/td>/u);
    assert.match(html, /<section class="footnotes">[\s\S]*We measured 42 streets/u);
    // The paper cell's wikilink, its pipe escaped for the table, is a link with its alias.
    assert.match(html, /<td><a href="papers\/silva2020-street-trees\.pdf" class="wikilink">Silva et al\.<\/a><\/td>/u);
  });

  void test('footnotes are not added twice when another plugin already renders them', () => {
    const html = extendMarkdownIt(new MarkdownIt().use(footnote)).render('Text[^a].\n\n[^a]: Note.\n');
    assert.equal(html.match(/<section class="footnotes">/gu)?.length, 1);
    assert.equal(html.match(/fnref1/gu)?.length, 2);
  });

  void test('wikilinks become links that open the file: pages, aliases, notes, headings, embeds, citations', () => {
    const md = preview();
    const inline = (s: string): string => md.renderInline(s);
    assert.equal(
      inline('[[papers/okafor2019-heat-island.pdf]]'),
      '<a href="papers/okafor2019-heat-island.pdf" class="wikilink">papers/okafor2019-heat-island.pdf</a>',
    );
    assert.equal(inline('[[x.pdf#page=3]]'), '<a href="x.pdf#page=3" class="wikilink">x.pdf#page=3</a>');
    assert.equal(inline('[[note|alias]]'), '<a href="note.md" class="wikilink">alias</a>');
    assert.equal(inline('[[Methods glossary]]'), '<a href="Methods%20glossary.md" class="wikilink">Methods glossary</a>');
    assert.equal(
      inline('[[Methods glossary#Heat Island index|HII]]'),
      '<a href="Methods%20glossary.md#heat-island-index" class="wikilink">HII</a>',
    );
    assert.equal(
      inline('[[城市热岛笔记]]'),
      '<a href="%E5%9F%8E%E5%B8%82%E7%83%AD%E5%B2%9B%E7%AC%94%E8%AE%B0.md" class="wikilink">城市热岛笔记</a>',
    );
    assert.equal(inline('![[figures/map.png]]'), '<img src="figures/map.png" alt="figures/map.png">');
    assert.equal(inline('![[paper.pdf]]'), '<a href="paper.pdf" class="wikilink">paper.pdf</a>');
    assert.equal(inline('[[@okafor2019]]'), '@okafor2019');
    assert.equal(inline('[[a <b>|<i>x</i>]]'), '<a href="a%20%3Cb%3E.md" class="wikilink">&lt;i&gt;x&lt;/i&gt;</a>');
    // Not wikilinks: ordinary links and references keep working, `[[` inside code is code.
    assert.equal(inline('[Zhang](papers/zhang.pdf)'), '<a href="papers/zhang.pdf">Zhang</a>');
    assert.equal(inline('`[[x]]`'), '<code>[[x]]</code>');
    assert.equal(inline('[[unclosed'), '[[unclosed');
    assert.equal(inline('[[javascript:alert(1)]]'), '[[javascript:alert(1)]]');
  });

  void test('parseWikilink and wikilinkHref', () => {
    assert.deepEqual(parseWikilink('a.pdf#page=3\\|A'), { path: 'a.pdf', fragment: 'page=3', alias: 'A' });
    assert.deepEqual(parseWikilink('note'), { path: 'note' });
    assert.equal(wikilinkHref('note', '^block-1'), 'note.md#^block-1');
    assert.equal(wikilinkHref('', 'Heading'), '#heading');
    assert.equal(wikilinkHref('note', 'A#B'), 'note.md#b');
  });
});
