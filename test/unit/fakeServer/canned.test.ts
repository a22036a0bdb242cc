import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { cannedMarkdown, jsonForSchema } from '../../fakeServer/index';
import { pickQuotes } from '../../fakeServer/canned';

const SOURCES = `<source id="s1" title="paper.pdf">
[p. 1, § Abstract] We studied sleep in 120 adults over 6 weeks. Sleep duration rose by 34 minutes on average.
[p. 3, § Methods] Participants wore actigraphy watches every night.
</source>

Task: summarise the sources above.
#### Background
#### Methods
#### Findings
#### Significance
Write in English.`;

void suite('fake server canned answers', () => {
  void test('quotes real sentences of the sources (numbers first) and never the instructions', () => {
    const quotes = pickQuotes(
      [{ role: 'user', content: 'Summarize the following note in markdown.\n\nThe weather was mild in spring. Yields grew 14% in 2022.' }],
      2,
    );
    assert.deepEqual(quotes, ['Yields grew 14% in 2022.', 'The weather was mild in spring.']);
  });

  void test('uses the headings the task asks for, one quoted bullet with its locator under each, and says it is canned', () => {
    const md = cannedMarkdown([{ role: 'user', content: SOURCES }], 'ollama', 99);
    const headings = md.split('\n').filter((l) => l.startsWith('#### '));
    assert.deepEqual(headings, ['#### Background', '#### Methods', '#### Findings', '#### Significance']);
    assert.ok(md.includes('- We studied sleep in 120 adults over 6 weeks. (p. 1, § Abstract)'), md);
    assert.ok(md.includes('- Participants wore actigraphy watches every night. (p. 3, § Methods)'), md);
    assert.match(md, /Canned demo output from the fake ollama server \(99 prompt tokens\)/);
    assert.ok(!md.includes('Task:'));
  });

  void test('a long section title in a locator (a paper title heading its first page) is never quoted as a fragment', () => {
    const title = 'Night-time urban heat island intensity in three mid-latitude cities';
    const content = `<source id="papers/okafor2019-heat-island.pdf" title="${title}">
[p. 1, § ${title}]
We measured air temperature at 42 fixed stations in three cities over two summers. The urban heat island was strongest two to four hours after sunset.

[p. 2, § Data and methods]
Stations recorded temperature every ten minutes from June to August in 2017 and 2018.
</source>

Summarize the paper above.
#### Aim
#### Method
#### Key results
#### Limitations`;
    const md = cannedMarkdown([{ role: 'user', content }], 'ollama', 321);
    const bullets = md.split('\n').filter((l) => l.startsWith('- '));
    assert.ok(bullets.length >= 3, md);
    for (const b of bullets) {
      // Whole sentences with a short citation: no "1, § …]" pieces of a locator, no brackets.
      assert.match(b, /^- [A-Z][^[\]]*[.)]$/u, b);
      assert.doesNotMatch(b, /§ Night-time|^- \d/u, b);
    }
    assert.ok(md.includes('- We measured air temperature at 42 fixed stations in three cities over two summers. (p. 1)'), md);
    assert.ok(md.includes('(p. 2, § Data and methods)'), md);
    assert.match(md, /Canned demo output .*no model was run/u);
  });

  void test('without requested headings: a "canned demo output" summary', () => {
    const md = cannedMarkdown([{ role: 'user', content: 'The cohort had 55 members and most were over 60 years old.' }], 'vllm', 12);
    assert.match(md, /^## Summary \(canned demo output\)\n\n- The cohort had 55 members and most were over 60 years old\.\n/);
  });

  void test('JSON for a schema: objects, $ref, enums, anyOf, minItems, minimum, strings from the prompt', () => {
    const schema = {
      type: 'object',
      $defs: {
        paper: {
          type: 'object',
          properties: { title: { type: 'string' }, year: { type: 'integer', minimum: 1990 } },
          required: ['title', 'year'],
        },
      },
      properties: {
        papers: { type: 'array', items: { $ref: '#/$defs/paper' }, minItems: 2 },
        verdict: { enum: ['yes', 'no'] },
        note: { anyOf: [{ type: 'null' }, { type: 'string', maxLength: 10 }] },
        score: { type: ['number', 'null'] },
        done: { type: 'boolean' },
      },
      required: ['papers', 'verdict', 'note', 'score', 'done'],
    };
    const value = jsonForSchema(schema, [{ role: 'user', content: 'We studied sleep in 120 adults over 6 weeks.' }]) as Record<
      string,
      unknown
    >;
    assert.deepEqual(value, {
      papers: [
        { title: 'We studied sleep in 120 adults over 6 weeks.', year: 1990 },
        { title: 'We studied sleep in 120 adults over 6 weeks.', year: 1990 },
      ],
      verdict: 'yes',
      note: 'We studied',
      score: 0,
      done: false,
    });
  });
});
