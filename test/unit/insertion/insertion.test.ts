import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import MarkdownIt from 'markdown-it';
import footnote from 'markdown-it-footnote';
import { renderBlock, diffEdit, styleBody, type BlockSpec } from '../../../src/core/insertion/block';
import { findBlocks, findOwnBlock, openingMarker, withFiguresChecked, isoDate } from '../../../src/core/insertion/markers';
import { mapRange, mapRangeThrough } from '../../../src/core/insertion/anchor';
import { StreamingInsertion, planTarget } from '../../../src/core/insertion/streaming';
import { applyEdits, type TextEditOp } from '../../../src/core/insertion/editPlan';
import { renderTable, escapeCell, MAX_PADDED_WIDTH, type TableRow } from '../../../src/core/insertion/table';
import { planFootnote, footnoteLabel } from '../../../src/core/insertion/footnote';
import stringWidth from 'string-width';

const spec = (style: BlockSpec['style'] = 'callout', target = 'note'): BlockSpec => ({
  kind: 'summary',
  attributes: { target, sources: ['papers/x.pdf', 'notes.md'], model: 'qwen3:4b', date: '2026-11-22' },
  style,
  title: 'Summary',
  incompleteLabel: '(incomplete)',
});

/** A document simulator: applies edits and reports changes like VS Code's onDidChangeTextDocument. */
class Doc {
  constructor(
    public text: string,
    private readonly listener: (c: { offset: number; length: number; text: string }[]) => void,
  ) {}
  edit(e: TextEditOp): void {
    this.text = this.text.slice(0, e.start) + e.text + this.text.slice(e.end);
    this.listener([{ offset: e.start, length: e.end - e.start, text: e.text }]);
  }
}

void suite('markers', () => {
  void test('the opening marker carries provenance and round-trips through findBlocks', () => {
    const block = renderBlock(spec(), '- point (p. 3)');
    assert.match(
      block,
      /^<!-- research:summary target="note" sources="papers\/x\.pdf; notes\.md" model="qwen3:4b" date="2026-11-22" -->\n> \[!summary\] Summary\n>\n> - point \(p\. 3\)\n<!-- \/research:summary -->\n$/,
    );
    const text = `# T\n\n${block}\nafter`;
    const [b] = findBlocks(text);
    assert.equal(b?.kind, 'summary');
    assert.deepEqual(b?.attributes.sources, ['papers/x.pdf', 'notes.md']);
    assert.equal(text.slice(b?.start, b?.end), block);
    assert.equal(findOwnBlock(text, 'summary', 'other'), undefined);
  });

  void test('attribute values that contain quotes or "--" cannot break the comment', () => {
    const m = openingMarker('answer', { target: 'q:"a" -- b', sources: [], model: 'm', date: 'd' });
    assert.equal(m.indexOf('--', 4), m.length - 3);
    assert.equal(findBlocks(`${m}\nx\n<!-- /research:answer -->`)[0]?.attributes.target, 'q:"a" -- b');
  });

  void test('the grounding hook rewrites "figures" in the header only', () => {
    const text = `intro\n${renderBlock(spec(), 'x')}`;
    const edit = withFiguresChecked(text, 6, 11, 12);
    assert.ok(edit);
    assert.match(applyEdits(text, [edit]), /date="2026-11-22" figures="11\/12" -->\n> \[!summary\]/);
    assert.equal(isoDate(new Date(2026, 10, 2)), '2026-11-02');
  });

  void test('styles: callout, blockquote, plain; incomplete is marked', () => {
    assert.equal(styleBody(spec('blockquote'), 'a\n\nb'), '> **Summary**\n>\n> a\n>\n> b');
    assert.equal(styleBody(spec('plain'), 'a'), 'a');
    const inc = { ...spec(), attributes: { ...spec().attributes, incomplete: true } };
    assert.match(renderBlock(inc, 'a'), /incomplete="true" -->\n> \[!summary\] Summary \(incomplete\)/);
  });
});

void suite('anchor tracking', () => {
  void test('edits before the range shift it, after it leave it, inside it mark it touched', () => {
    const r = { start: 10, end: 20 };
    assert.deepEqual(mapRange(r, { offset: 0, length: 0, text: 'abc' }), { start: 13, end: 23, touched: false });
    assert.deepEqual(mapRange(r, { offset: 10, length: 0, text: 'x' }), { start: 11, end: 21, touched: false });
    assert.deepEqual(mapRange(r, { offset: 20, length: 5, text: '' }), { start: 10, end: 20, touched: false });
    assert.deepEqual(mapRange(r, { offset: 2, length: 5, text: '' }), { start: 5, end: 15, touched: false });
    assert.deepEqual(mapRange(r, { offset: 12, length: 2, text: 'xyz' }), { start: 10, end: 21, touched: true });
    assert.deepEqual(mapRange(r, { offset: 5, length: 30, text: 'q' }), { start: 6, end: 6, touched: true });
    assert.deepEqual(
      mapRangeThrough(r, [
        { offset: 30, length: 1, text: '' },
        { offset: 0, length: 1, text: '' },
      ]),
      { start: 9, end: 19, touched: false },
    );
  });
});

void suite('streaming insertion', () => {
  const original = '# Title\n\nSome paragraph to summarize.\nLine below.\nLast line.\n';

  function run(userEdits: (doc: Doc, step: number) => void, chunks: string[]): { doc: Doc; ins: StreamingInsertion; beforeFinal: string } {
    let ins!: StreamingInsertion; // eslint-disable-line prefer-const -- assigned after the Doc that reports to it
    const doc = new Doc(original, (changes) => ins.onChanges(changes));
    const anchor = original.indexOf('summarize.');
    ins = new StreamingInsertion(spec(), planTarget(original, { kind: 'summary', target: 'note' }, anchor));
    chunks.forEach((c, i) => {
      ins.append(c);
      userEdits(doc, i);
      const e = ins.takeEdit();
      if (e) doc.edit(e);
    });
    const removal = ins.removal();
    if (removal) doc.edit(removal);
    const beforeFinal = doc.text;
    doc.edit(ins.finalInsert(ins.text));
    return { doc, ins, beforeFinal };
  }

  void test('streamed text lands after the anchor line while the user types above and deletes below', () => {
    const typed = 'x'.repeat(50);
    const { doc, beforeFinal } = run(
      (d, step) => {
        if (step === 1) d.edit({ start: 2, end: 2, text: typed }); // inside the title line, above the anchor
        if (step === 3) {
          const at = d.text.indexOf('Line below.\n');
          d.edit({ start: at, end: at + 'Line below.\n'.length, text: '' });
        }
      },
      ['#### Back', 'ground\n- a (p. 1)\n', '#### Methods\n', '- b (p. 2)'],
    );
    const userOnly = `# ${typed}Title\n\nSome paragraph to summarize.\nLast line.\n`;
    // Before the final edit the document is exactly the user's version (the streamed text was removed).
    assert.equal(beforeFinal, userOnly);
    const block = renderBlock(spec(), '#### Background\n- a (p. 1)\n#### Methods\n- b (p. 2)').slice(0, -1);
    assert.equal(doc.text, `# ${typed}Title\n\nSome paragraph to summarize.\n\n${block}\nLast line.\n`);
  });

  void test('each batch sends only the changed tail', () => {
    const sent: TextEditOp[] = [];
    let ins!: StreamingInsertion; // eslint-disable-line prefer-const -- assigned after the Doc that reports to it
    const doc = new Doc(original, (c) => ins.onChanges(c));
    ins = new StreamingInsertion(spec(), planTarget(original, { kind: 'summary', target: 'note' }, 0));
    for (const c of ['aaaa', 'bbbb', 'cccc']) {
      ins.append(c);
      const e = ins.takeEdit();
      assert.ok(e);
      sent.push(e);
      doc.edit(e);
    }
    // After the first batch, an edit replaces at most the closing marker plus the new text.
    assert.ok((sent[2]?.text.length ?? 0) < 40, JSON.stringify(sent[2]));
    assert.match(doc.text, /> aaaabbbbcccc\n<!-- \/research:summary -->\n\nSome paragraph/);
  });

  void test('a rejected edit is recomputed against the mapped range', () => {
    let ins!: StreamingInsertion; // eslint-disable-line prefer-const -- assigned after the Doc that reports to it
    const doc = new Doc(original, (c) => ins.onChanges(c));
    ins = new StreamingInsertion(spec(), planTarget(original, { kind: 'summary', target: 'note' }, 0));
    ins.append('hello');
    const e1 = ins.takeEdit();
    assert.ok(e1);
    doc.edit({ start: 0, end: 0, text: 'USER ' }); // the user wins the race
    ins.editFailed();
    const e2 = ins.takeEdit();
    assert.ok(e2);
    doc.edit(e2);
    assert.ok(doc.text.startsWith('USER # Title\n\n<!-- research:summary'));
  });

  void test('a re-run replaces its own block only, leaving user text around it', () => {
    const first = `${original}\n${renderBlock(spec(), 'old summary')}User text after.\n`;
    const target = planTarget(first, { kind: 'summary', target: 'note' }, 0);
    assert.ok(target.replace);
    let ins!: StreamingInsertion; // eslint-disable-line prefer-const -- assigned after the Doc that reports to it
    const doc = new Doc(first, (c) => ins.onChanges(c));
    ins = new StreamingInsertion(spec(), target);
    ins.append('new summary');
    const e = ins.takeEdit();
    if (e) doc.edit(e);
    doc.edit({ start: 0, end: 0, text: 'typed ' });
    const r = ins.removal();
    if (r) doc.edit(r);
    doc.edit(ins.finalInsert(ins.text));
    assert.equal(doc.text, `typed ${original}\n${renderBlock(spec(), 'new summary')}User text after.\n`);
    assert.equal(findBlocks(doc.text).length, 1);
  });

  void test('a new block never goes inside front matter or another block', () => {
    const text = `---\ntitle: x\n---\n# H\n${renderBlock(spec('plain', 'other'), 'a\nb')}tail\n`;
    // The cursor in the front matter: after the title heading that opens the body.
    assert.equal(planTarget(text, { kind: 'summary', target: 'note' }, 2).insertAt, text.indexOf('\n', text.indexOf('# H')));
    const untitled = `---\ntitle: x\n---\nFirst paragraph\nstill it.\n`;
    assert.equal(planTarget(untitled, { kind: 'summary', target: 'note' }, 2).insertAt, untitled.indexOf('\nFirst'));
    const spaced = `---\ntitle: x\n---\n\n# Title\n\nBody\n`;
    assert.equal(planTarget(spaced, { kind: 'summary', target: 'note' }, 0).insertAt, spaced.indexOf('\n\nBody'));
    const inBlock = text.indexOf('a\nb');
    assert.equal(planTarget(text, { kind: 'summary', target: 'note' }, inBlock).insertAt, text.indexOf('\ntail'));
  });
});

void suite('tables and footnotes', () => {
  const md = new MarkdownIt().use(footnote);

  void test('a table rendered by code parses as a table: pipes escaped, breaks as <br>, quotes as footnotes, error cell', () => {
    const table = renderTable(
      ['Aim', 'Sample size'],
      [
        {
          paper: '[[a.pdf]]',
          cells: { Aim: { value: 'test | pipe', quote: 'We aim to test.', locator: 'p. 1' }, 'Sample size': { value: 'n = 24\nadults' } },
        },
        { paper: '[Lee 2022](papers/lee.pdf)', error: 'BadResponse' },
        { paper: '[[c.pdf]]', cells: { Aim: { value: '睡眠研究' } } },
      ],
      { paperHeader: 'Paper', failedLabel: 'extraction failed', width: stringWidth, footnotePrefix: 'cmp-' },
    );
    const tokens = md.parse(table, {});
    assert.equal(tokens.filter((t) => t.type === 'tr_open').length, 4);
    const cells = tokens.filter((t) => t.type === 'inline' && tokens[tokens.indexOf(t) - 1]?.type === 'td_open').map((t) => t.content);
    assert.equal(cells.length, 9);
    assert.equal(cells.filter((c) => c.includes('extraction failed')).length, 1);
    assert.ok(md.render(table).includes('test | pipe'));
    assert.equal(tokens.filter((t) => t.type === 'footnote_open').length, 1);
    assert.equal(escapeCell('a|b\\c'), 'a\\|b\\\\c');
  });

  void test('short columns line up by display width (CJK counts two); long cells are not padded', () => {
    const longResult = 'Night-time air temperature fell by 0.4 °C on average across the treated blocks, '.repeat(6).trim();
    const table = renderTable(
      ['Design', 'Key result'],
      [
        { paper: '[[a.pdf]]', cells: { Design: { value: 'RCT' }, 'Key result': { value: longResult } } },
        { paper: '[[b.pdf]]', cells: { Design: { value: '队列研究' }, 'Key result': { value: 'none' } } },
      ],
      { paperHeader: 'Paper', failedLabel: 'extraction failed', width: stringWidth },
    );
    const lines = table.split('\n');
    // The second column's bar sits at the same display column in every line.
    const secondBar = (l: string): number => stringWidth(l.slice(0, l.indexOf('|', l.indexOf('|', 1) + 1)));
    assert.equal(new Set(lines.map(secondBar)).size, 1, 'Paper and Design columns aligned');
    // The short "none" is padded to the cap at most, not to the width of the long result.
    const shortRow = lines[3] ?? '';
    assert.ok(shortRow.length < 80, `short row stays short: ${shortRow.length} characters`);
    assert.match(shortRow, new RegExp(`\\| none {${MAX_PADDED_WIDTH - 4}} \\|$`, 'u'));
    assert.ok(lines[0]!.length < 80, 'the header is not padded to the long result');
    assert.ok(lines[2]!.includes(longResult));
    const parsed = new MarkdownIt().parse(table, {});
    assert.equal(parsed.filter((t) => t.type === 'tr_open').length, 3);
  });

  void test('footnote labels are short by default and differ between two tables of one note', () => {
    const row = (paper: string): TableRow => ({ paper, cells: { Aim: { value: 'x', quote: 'We aim.', locator: 'p. 1' } } });
    const first = renderTable(['Aim'], [row('[[a.pdf]]'), row('[[b.pdf]]')], {
      paperHeader: 'Paper',
      failedLabel: 'failed',
      width: stringWidth,
    });
    const labels = [...first.matchAll(/\[\^([^\]]+)\]:/gu)].map((m) => m[1]!);
    assert.equal(labels.length, 2);
    for (const l of labels) assert.match(l, /^[0-9a-z]{3}-\d+$/u);
    const second = renderTable(['Aim'], [row('[[c.pdf]]')], { paperHeader: 'Paper', failedLabel: 'failed', width: stringWidth });
    const other = /\[\^([^\]]+)\]:/u.exec(second)?.[1];
    assert.ok(other && !labels.includes(other), `${other} differs from ${labels.join(', ')}`);
    assert.equal(
      renderTable(['Aim'], [row('[[a.pdf]]'), row('[[b.pdf]]')], { paperHeader: 'Paper', failedLabel: 'failed', width: stringWidth }),
      first,
      'stable',
    );
  });

  void test('footnote: reference after the term, definition at the end, reused on the second run', () => {
    const text = 'We use slow-wave sleep here.\n';
    const end = text.indexOf(' here');
    const label = footnoteLabel('Slow-wave sleep');
    assert.equal(label, 'slow-wave-sleep');
    const once = applyEdits(text, planFootnote(text, end, label, 'Deep sleep (p. 2).'));
    assert.equal(once, 'We use slow-wave sleep[^slow-wave-sleep] here.\n\n[^slow-wave-sleep]: Deep sleep (p. 2).\n');
    const twice = applyEdits(once, planFootnote(once, end, label, 'Stage N3 sleep.\nSecond line.'));
    assert.equal(twice, 'We use slow-wave sleep[^slow-wave-sleep] here.\n\n[^slow-wave-sleep]: Stage N3 sleep.\n    Second line.\n');
    assert.equal(md.parse(twice, {}).filter((t) => t.type === 'footnote_open').length, 1);
  });

  void test('diffEdit finds the minimal replacement', () => {
    assert.deepEqual(diffEdit('abc<end>', 'abcdef<end>'), { start: 3, end: 3, text: 'def' });
    assert.equal(diffEdit('same', 'same'), undefined);
  });
});

void suite('insertion target', () => {
  void test('one blank line before a new block, whatever the anchor line', () => {
    const t = (text: string, at: number) => planTarget(text, { kind: 'summary', target: 'note' }, at);
    assert.deepEqual(t('para\n', 0), { insertAt: 4, prefix: '\n\n' });
    assert.deepEqual(t('para\n\n', 6), { insertAt: 6, prefix: '' });
    assert.deepEqual(t('para\n', 5), { insertAt: 5, prefix: '\n' });
    assert.deepEqual(t('', 0), { insertAt: 0, prefix: '' });
  });
});
