import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { parse } from 'yaml';
import { parseFrontMatter, refreshFrontMatter, renderFrontMatter } from '../../../src/core/batch/frontMatter';

function body(block: string): string {
  assert.match(block, /^---\n[\s\S]*\n---\n$/);
  return block.slice(4, -4);
}

suite('per-paper note front matter', () => {
  test('fields in order, unknown ones left out, values read back exactly', () => {
    const block = renderFrontMatter({
      metadata: {
        title: 'VESPA: Very large-scale Evolutionary and Selective Pressure Analyses',
        authors: ['Andrew E. Webb', 'Mary J. O’Connell'],
        year: 2017,
        doi: '10.7717/peerj-cs.118',
        origin: {},
      },
      source: 'papers/genomics/vespa.pdf',
      model: 'qwen2.5:7b-instruct',
      date: '2026-12-07',
      status: 'summarised',
    });
    assert.deepEqual(Object.keys(parse(body(block)) as object), ['title', 'authors', 'year', 'doi', 'source', 'model', 'date', 'status']);
    assert.deepEqual(parseFrontMatter(`${block}\n# Notes\n`), {
      title: 'VESPA: Very large-scale Evolutionary and Selective Pressure Analyses',
      authors: ['Andrew E. Webb', 'Mary J. O’Connell'],
      year: 2017,
      doi: '10.7717/peerj-cs.118',
      source: 'papers/genomics/vespa.pdf',
      model: 'qwen2.5:7b-instruct',
      date: '2026-12-07',
      status: 'summarised',
    });
    // The title has ": " in it, which plain YAML would read as a mapping.
    assert.match(block, /^title: ["'].*["']$/m);
  });

  test('colons, quotes, "#", leading symbols, YAML 1.1 booleans and Chinese survive a round trip', () => {
    const titles = [
      'S2ORC: The "Semantic" Scholar Corpus',
      "It's #1: a study",
      '- not a list item',
      '@ the edge [draft]',
      'yes',
      'On',
      '123',
      'null',
      '深度学习在生物医学中的应用：综述',
    ];
    for (const title of titles) {
      const block = renderFrontMatter({
        metadata: { title, citekey: 'key:with:colons', origin: {} },
        source: '论文/a b: c.pdf',
        date: '2026-12-07',
        status: 'unread',
      });
      const read = parseFrontMatter(block);
      assert.equal(read?.['title'], title, block);
      assert.equal(read?.['citekey'], 'key:with:colons');
      assert.equal(read?.['source'], '论文/a b: c.pdf');
    }
    const yes = renderFrontMatter({ metadata: { title: 'yes', origin: {} }, source: 'a.pdf', date: '2026-12-07', status: 'unread' });
    assert.match(yes, /^title: "yes"$/m, 'quoted for YAML 1.1 readers, which take bare yes for true');
    const chinese = renderFrontMatter({
      metadata: { title: '深度学习综述', origin: {} },
      source: 'a.pdf',
      date: '2026-12-07',
      status: 'unread',
    });
    assert.match(chinese, /^title: 深度学习综述$/m, 'Chinese is written as it is, not escaped');
  });

  test('a long title stays on one line; line breaks inside it become spaces', () => {
    const title = `${'A very long title '.repeat(12)}end`;
    const block = renderFrontMatter({
      metadata: { title: title.replace(/ A /g, '\nA '), origin: {} },
      source: 'a.pdf',
      date: '2026-12-07',
      status: 'unread',
    });
    assert.equal(block.split('\n').filter((l) => l.startsWith('title:')).length, 1);
    assert.equal(parseFrontMatter(block)?.['title'], title);
  });

  test('no front matter, or broken YAML, reads as undefined', () => {
    assert.equal(parseFrontMatter('# Just a note\n'), undefined);
    assert.equal(parseFrontMatter('---\ntitle: [unclosed\n---\n'), undefined);
    assert.equal(parseFrontMatter('---\n- a list\n---\n'), undefined);
  });

  test('a re-read paper: model, date and status are set anew; the user’s own fields, comments and text stay', () => {
    const note = [
      '---',
      'title: "Heat: a study"',
      '# my reading priority',
      'priority: high',
      'model: qwen3:4b',
      'date: 2026-01-02',
      'status: summarized',
      'tags: [wheat, heat]',
      '---',
      '',
      '# Heat: a study',
      '',
      'My own notes.',
      '',
    ].join('\n');
    const refreshed = refreshFrontMatter(note, { model: 'qwen3:8b', date: '2026-12-07', status: 'incomplete' });
    assert.deepEqual(parseFrontMatter(refreshed), {
      title: 'Heat: a study',
      priority: 'high',
      model: 'qwen3:8b',
      date: '2026-12-07',
      status: 'incomplete',
      tags: ['wheat', 'heat'],
    });
    assert.match(refreshed, /# my reading priority\npriority: high/);
    assert.ok(refreshed.endsWith('---\n\n# Heat: a study\n\nMy own notes.\n'), refreshed);
    for (const untouched of ['# No front matter\n', '---\ntitle: [broken\n---\nText\n'])
      assert.equal(refreshFrontMatter(untouched, { date: '2026-12-07', status: 'summarized' }), untouched);
  });
});
