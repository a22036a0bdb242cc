import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { GROUNDING_TEMPLATES, groundingMessage, matchPlace, type GroundingItem, type SourceMatch } from '../../../src/core';

const ROOT = join(__dirname, '..', '..', '..');
const near: SourceMatch = {
  sourceId: 'papers/smith2024.pdf',
  sourceUri: 'file:///ws/papers/smith2024.pdf',
  sourceTitle: 'smith2024.pdf',
  start: 10,
  end: 13,
  snippet: '… recall rose by 14% …',
  matched: ' 14% ',
  similarity: 0.62,
  page: 4,
};
const item = (over: Partial<GroundingItem>): GroundingItem => ({
  kind: 'percent',
  start: 0,
  end: 3,
  text: '12%',
  status: 'unsupported',
  ...over,
});
const SOURCES = ['papers/smith2024.pdf', 'notes/sleep.md'];

void suite('grounding messages: one wording for the Problems panel and `research-assistant check`', () => {
  test('a figure names what was searched, and the nearest figure with its page when there is one', () => {
    assert.equal(
      groundingMessage(item({ nearest: near }), SOURCES),
      '12% not found in the cited sources (checked: smith2024.pdf, sleep.md; nearest: 14% in smith2024.pdf, p. 4). Check the figure or remove it.',
    );
    assert.equal(groundingMessage(item({}), []), '12% not found in the cited sources (checked: this note). Check the figure or remove it.');
  });

  test('a quote: below the similarity threshold, a number or a negation that differs, or nothing near', () => {
    const quote = (reason: GroundingItem['reason'], withNear = true): string =>
      groundingMessage(item({ kind: 'quote', text: 'recall rose', reason, ...(withNear ? { nearest: near } : {}) }), SOURCES);
    assert.match(quote('lowSimilarity'), /closest passage \(smith2024\.pdf, p\. 4\) is 62% similar/);
    assert.equal(quote('numberDiffers'), 'Quote differs in a number from the passage in smith2024.pdf, p. 4. Correct the number.');
    assert.match(quote('negationDiffers'), /differs in a negation/);
    assert.match(quote('notFound', false), /^Quote not found in the cited sources \(checked: smith2024\.pdf, sleep\.md\)/);
  });

  test('a table cell: the figures its evidence quote lacks (one or several), another paper’s quote, or no quote found', () => {
    const cell = (over: Partial<GroundingItem>): string => groundingMessage(item({ kind: 'cell', text: 'n = 24', ...over }), SOURCES);
    assert.match(cell({ missingInQuote: ['24'] }), /^24 does not appear in the quote given as this cell's evidence\. Check the value/);
    assert.match(
      cell({ missingInQuote: ['9712', '2014'] }),
      /^9712, 2014 do not appear in the quote .* Check the values against the paper or remove them\.$/,
    );
    assert.match(cell({ reason: 'otherSource', nearest: near }), /comes from smith2024\.pdf, p\. 4, not from this row's paper/);
    assert.match(
      cell({ reason: 'notFound' }),
      /^This cell's quote was not found in the cited sources \(checked: smith2024\.pdf, sleep\.md\)/,
    );
  });

  test('the host’s translation is used for every part, the place included', () => {
    const seen: string[] = [];
    const translate = (template: string, ...args: Array<string | number>): string => {
      seen.push(template);
      return `[${template}|${args.join('|')}]`;
    };
    assert.equal(matchPlace(near, translate), '[{0}, p. {1}|smith2024.pdf|4]');
    groundingMessage(item({ nearest: near }), [], translate);
    assert.deepEqual(seen.slice(1), [GROUNDING_TEMPLATES.place, GROUNDING_TEMPLATES.thisNote, GROUNDING_TEMPLATES.figureNearest]);
  });

  test('every template is in both l10n bundles, with the same placeholders in the Chinese one', () => {
    const en = JSON.parse(readFileSync(join(ROOT, 'l10n/bundle.l10n.json'), 'utf8')) as Record<string, string>;
    const zh = JSON.parse(readFileSync(join(ROOT, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
    const holes = (s: string): string[] => [...s.matchAll(/\{\d+\}/gu)].map((m) => m[0]).sort();
    for (const template of Object.values(GROUNDING_TEMPLATES)) {
      assert.ok(template in en, `missing from bundle.l10n.json: ${template}`);
      const translated = zh[template];
      assert.ok(translated !== undefined, `missing from bundle.l10n.zh-cn.json: ${template}`);
      assert.deepEqual(holes(translated), holes(template), template);
    }
  });
});
