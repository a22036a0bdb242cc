// Scripted answers for `npm run screenshots` (scripts/screenshots.mjs): what a small instruct model would write
// about sample-workspace/'s three invented papers (scripts/host/sample-papers.json), so the README and
// walkthrough images show readable output. They are hand-written, not a model's; every quote is copied from
// the sample papers, so the grounding check passes them — except in the `invented` mode, which changes two
// numbers on purpose for the Check Grounding screenshot.
// Not a UI test (no `.test.mjs`): scripts/test-ui.mjs does not load it.

const OKAFOR = {
  background: ['City centres were warmest two to four hours after sunset; daytime differences were below 1 degree (§ Abstract)'],
  methods: [
    '42 fixed stations in three cities, measured every ten minutes over two summers (§ Data and methods)',
    'Each urban station was paired with a rural station within 25 km at a similar elevation (§ Data and methods)',
    'Nights with rain or wind above 5 m/s were excluded, which left 118 of 184 nights (§ Data and methods)',
  ],
  findings: [
    'Night-time heat island intensity was 3.1 degrees on average (range 1.2 to 5.6) (§ Results)',
    'A low sky view factor explained most of the variation between stations (R squared 0.47) (§ Results)',
    'Stations within 200 m of a park were 0.8 degrees cooler than comparable stations further away (§ Results)',
  ],
  significance: [
    'Street geometry and parks matter most at night, when the heat island peaks (§ Results)',
    'Limitations: dense residential blocks are under-sampled, two summers cannot show trends, surface temperature was not measured (§ Limitations)',
  ],
};

// per paper (matched on the source id), per default column key: [value, verbatim quote, locator]
const TABLE = {
  okafor2019: {
    aim: [
      'When and where the night-time urban heat island is strongest',
      'We measured air temperature at 42 fixed stations in three cities over two summers.',
      '§ Abstract',
    ],
    method: [
      'Fixed stations, urban–rural pairs',
      'Each urban station was paired with a rural station within 25 km at a similar elevation.',
      '§ Data and methods',
    ],
    data: [
      'Air temperature every ten minutes, June to August 2017 and 2018',
      'Stations recorded temperature every ten minutes from June to August in 2017 and 2018.',
      '§ Data and methods',
    ],
    sample_size: ['42 stations', 'We measured air temperature at 42 fixed stations in three cities over two summers.', '§ Abstract'],
    key_result: [
      '3.1 degrees warmer at night',
      'The night-time heat island intensity was 3.1 degrees on average (range 1.2 to 5.6).',
      '§ Results',
    ],
    limitations: [
      'Dense residential blocks under-sampled',
      'Stations were placed where permission was available, which under-samples dense residential blocks.',
      '§ Limitations',
    ],
  },
  zhang2021: {
    aim: [
      'Effect of reflective roof coatings on temperatures',
      'Twenty low-rise apartment blocks were given a reflective white roof coating (albedo 0.78) and compared with twenty matched blocks with dark roofs (albedo 0.12).',
      '§ Abstract',
    ],
    method: ['Matched-pair retrofit trial', 'A matched-pair design across one city.', '§ Method'],
    data: [
      'Roof and indoor temperature loggers',
      'Roof surface temperature was logged with infrared sensors, indoor air temperature with one logger per top-floor flat (n = 160 flats).',
      '§ Method',
    ],
    sample_size: [
      '160 flats',
      'Roof surface temperature was logged with infrared sensors, indoor air temperature with one logger per top-floor flat (n = 160 flats).',
      '§ Method',
    ],
    key_result: [
      'Indoor maxima 1.6 degrees lower',
      'Indoor maximum temperatures were 1.6 degrees lower in coated blocks (95% CI 1.1 to 2.1).',
      '§ Results',
    ],
    limitations: [
      'One summer; street air not measured',
      'Coatings lose reflectivity as they age; the trial lasted one summer.',
      '§ Limitations',
    ],
  },
  silva2020: {
    aim: [
      'Street trees and night-time air temperature',
      'Using bicycle-mounted sensors on 60 evening transects, we found that streets with continuous tree canopy were 1.1 degrees cooler at 22:00 than treeless streets of the same width, while narrow treeless streets stayed warmest.',
      '§ Abstract',
    ],
    method: [
      'Bicycle transects, mixed model',
      'A mixed model accounted for street width, building height and time since sunset.',
      '§ Method',
    ],
    data: ['Mobile air temperature, canopy maps', 'Canopy cover was mapped from aerial images in 50 m segments.', '§ Method'],
    sample_size: [
      '60 evening transects',
      'Using bicycle-mounted sensors on 60 evening transects, we found that streets with continuous tree canopy were 1.1 degrees cooler at 22:00 than treeless streets of the same width, while narrow treeless streets stayed warmest.',
      '§ Abstract',
    ],
    key_result: [
      '0.2 degrees cooler per 10 points of canopy',
      'Each 10 percentage points of canopy cover lowered the air temperature by 0.2 degrees (95% CI 0.15 to 0.25).',
      '§ Results',
    ],
    limitations: ['One city, one summer', 'Only one city and one summer.', '§ Limitations'],
  },
};

const lastUser = (req) => [...(req.body?.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '';
/** The part of the prompt after the last source block: the task. */
const taskOf = (prompt) => prompt.slice(prompt.lastIndexOf('</source>') + 1);
/** `- source id "papers/x.pdf" → cite as [[papers/x.pdf]]` lines → citation by a fragment of the id. */
function citer(prompt) {
  const list = [...prompt.matchAll(/source id "([^"]+)" → cite as (.+)$/gm)].map((m) => [m[1], m[2].trim()]);
  // prompts without a citation list (Explain Term): the note's own link forms
  const fallback = {
    okafor2019: '[[papers/okafor2019-heat-island.pdf]]',
    zhang2021: '[Zhang & Müller 2021](papers/zhang2021-cool-roofs.pdf)',
    silva2020: '[[papers/silva2020-street-trees.pdf|Silva et al.]]',
  };
  return (fragment) => list.find(([id]) => id.includes(fragment))?.[1] ?? fallback[fragment] ?? `[[${fragment}]]`;
}

function summary(prompt, invented) {
  const headings = [...taskOf(prompt).matchAll(/^#### (.+)$/gm)].map((m) => m[1].trim()).filter((h) => !h.includes('{{'));
  const [b, m, f, s] = headings.length === 4 ? headings : ['Background', 'Methods', 'Findings', 'Significance'];
  let findings = OKAFOR.findings;
  // two numbers the paper does not contain: the grounding check must flag them
  if (invented) findings = findings.map((l) => l.replace('3.1 degrees', '3.4 degrees').replace('0.8 degrees', '1.3 degrees'));
  const part = (h, lines) => `#### ${h}\n\n${lines.map((l) => `- ${l}`).join('\n')}`;
  return `${[part(b, OKAFOR.background), part(m, OKAFOR.methods), part(f, findings), part(s, OKAFOR.significance)].join('\n\n')}\n`;
}

function table(prompt) {
  const paper = Object.keys(TABLE).find((k) => prompt.includes(`papers/${k}`));
  // a linked note (the glossary) is compared too: it states none of this
  const cells = paper ? TABLE[paper] : {};
  const keys = [...taskOf(prompt).matchAll(/^- "([^"]+)": /gm)].map((m) => m[1]);
  const out = {};
  for (const key of keys) {
    const [value, quote, locator] = cells[key] ?? ['not stated', '', ''];
    out[key] = { value, quote, locator };
  }
  return JSON.stringify(out);
}

function explain(prompt) {
  const term = /explain the term "([^"]+)"/.exec(prompt)?.[1] ?? 'the term';
  const cite = citer(prompt);
  if (/heat island/i.test(term)) {
    return `The **urban heat island** is the air-temperature difference between a city and its rural surroundings, usually reported for the night-time minimum ${cite('Methods glossary')}. In the three-city study it was strongest two to four hours after sunset, 3.1 degrees on average ${cite('okafor2019')} (§ Results).\n`;
  }
  return `**${term}**, as the sources use it: see ${cite('Methods glossary')}.\n`;
}

function answer(prompt) {
  const cite = citer(prompt);
  return [
    'Only partly, according to the sources:',
    '',
    `- The heat island is a night-time effect: city centres were 3.1 degrees warmer on average two to four hours after sunset ${cite('okafor2019')} (§ Results).`,
    `- Cool roofs lowered top-floor indoor maximum temperatures by 1.6 degrees, but night-time indoor temperatures differed by only 0.4 degrees ${cite('zhang2021')} (§ Results).`,
    `- Street-level air temperature was not measured in the roof trial, so its effect on the heat island itself is unknown ${cite('zhang2021')} (§ Limitations).`,
    '',
  ].join('\n');
}

function draft(prompt) {
  const cite = citer(prompt);
  return [
    `Cities stay warmer than their surroundings mainly at night. Across three mid-latitude cities, centres were on average 3.1 degrees warmer than rural reference sites two to four hours after sunset, while daytime differences were below 1 degree ${cite('okafor2019')}. Street geometry explains much of this: a low sky view factor accounted for most of the variation between stations ${cite('okafor2019')}.`,
    '',
    `Two kinds of intervention have been measured. Reflective roof coatings lowered indoor maximum temperatures in top-floor flats by 1.6 degrees during heat waves ${cite('zhang2021')}, and each 10 percentage points of street tree canopy lowered evening air temperature by 0.2 degrees ${cite('silva2020')}. [No source for: combined effect of roofs and trees]`,
    '',
  ].join('\n');
}

/** Mutable so the screenshot script can switch modes between shots of one fake server. */
export const replyState = { invented: false };

/** The fake server's `reply` option: picks the answer from the prompt's task. */
export function scriptedReply(req) {
  const prompt = lastUser(req);
  if (/fill one object per key/.test(prompt)) return { text: table(prompt) };
  if (/Task: summari[sz]e the (paper|sources) above/.test(prompt)) return { text: summary(prompt, replyState.invented) };
  if (/Task: explain the term/.test(prompt)) return { text: explain(prompt) };
  if (/^Question: /m.test(prompt)) return { text: answer(prompt) };
  if (/Task: write the section for the outline/.test(prompt)) return { text: draft(prompt) };
  return { text: '(no scripted answer for this request)\n' };
}
