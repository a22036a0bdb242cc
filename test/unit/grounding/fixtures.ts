/**
 * Grounding fixtures: two sources (an English trial report with PDF extraction damage, a Chinese
 * abstract with full-width characters) and generated sentences in which every claim is marked:
 * ⟦genuine⟧ must be supported, ⟪planted⟫ must be flagged. Anything else the checker reports in a
 * sentence is a failure too (it would be a false diagnostic), so the sentences also carry things
 * that are NOT claims: locators, citekeys, list numbers, CI levels, names with digits.
 */
import type { Source } from '../../../src/core/sources/types';

function source(id: string, text: string, kind: Source['kind'] = 'pdf'): Source {
  return { id, uri: `file:///ws/${id}`, title: id, kind, status: 'ok', text, sections: [], tokenEstimate: Math.ceil(text.length / 4) };
}

/** English trial report as PDF text comes out: page markers, line-break hyphens, ligatures, U+2212, thin spaces, "3·5". */
export const SOURCE_EN = source(
  'papers/exercise-trial.pdf',
  [
    '[page 1]',
    'Effects of a structured exercise programme on glycaemic control in older adults: a randomised',
    'controlled trial',
    'Background: Type 2 diabetes affects 1 in 10 adults worldwide. We enrolled 1,248 participants',
    'aged 65\u201380 years from 12 centres between 2016 and 2019.',
    'Methods: Participants were randomly assigned (1:1) to exercise (n = 624) or usual care (n = 624).',
    'The primary outcome was the change in HbA1c at 12 months.',
    '',
    '[page 2]',
    'Results: The response rate was 72.4% in the exercise group and 58 % in the control group',
    '(difference 14.4 percentage points; 95% CI 9.1\u201319.7; p < 0.001). HbA1c fell by \u22120.52% (SD 0.31)',
    'with exercise. The odds ratio for remission was 2.31 (95% CI, 1.45 to 3.68; P = .002). The hazard ra-',
    'tio for hospitalisation was 0.72. Median follow-up was 3\u00B75 years. Serum concentration was 4.5 \u00D7 10\u22123 mol/L.',
    'A total of 12\u2009345 screening visits were recorded. Adherence was 0.81 overall.',
    'Adverse events occurred in 3.2 per cent of participants; the \uFB01nal analysis included 1 190 participants.',
    '',
    '[page 3]',
    'Discussion: \u201CStructured exercise is a safe and effective intervention for older adults with type 2 diabetes,\u201D the authors',
    'concluded. Exercise did not increase the risk of falls (relative risk 1.04). The effect was signi\uFB01cant in all',
    'pre-speci\uFB01ed subgroups. Costs were US$1,000 per participant per year. The di erent intensities were well tolerated',
    'by participants in both arms of the trial.',
  ].join('\n'),
);

/** Chinese abstract with full-width digits, ％, ＜, ～ and Chinese punctuation. */
export const SOURCE_ZH = source(
  'papers/zh-abstract.pdf',
  [
    '[page 1]',
    '背景：2型糖尿病在老年人群中的患病率为１２．８％。',
    '方法：本研究共纳入３６０例患者，随机分为干预组（ｎ＝１８０）和对照组（n=180）。',
    '结果：干预组有效率为７２％，对照组为５８．３％（Ｐ＜０．０５）。干预组糖化血红蛋白下降０．６％（９５％ＣＩ：０．３～０．９）。',
    '结论：“该方法显著提高了老年患者的血糖控制水平”，且未增加低血糖风险。患者平均年龄为６８．５岁，随访时间为２４个月。',
  ].join('\n'),
);

export const SOURCES: readonly Source[] = [SOURCE_EN, SOURCE_ZH];

/** Sentences whose claims all exist in the sources, in some format variant. */
export const GENUINE: readonly string[] = [
  'The trial enrolled ⟦1,248⟧ participants (p. 1) [@smith2020].',
  'In total ⟦1248⟧ people took part, aged ⟦65–80⟧ years, at ⟦12⟧ centres.',
  'Recruitment ran from ⟦2016 to 2019⟧ (§2.1), starting in ⟦2016⟧.',
  'Each arm had n = ⟦624⟧ participants (Table 2).',
  'The response rate was ⟦72.4%⟧ with exercise.',
  'About ⟦72%⟧ responded to exercise (rounded).',
  'Control response was ⟦58%⟧, a difference of ⟦14.4 percentage points⟧ (95% CI ⟦9.1–19.7⟧; p < ⟦0.001⟧).',
  'HbA1c changed by ⟦−0.52%⟧ (SD ⟦0.31⟧), written also as ⟦-0.52%⟧.',
  'Odds ratio ⟦2.31⟧ (95% CI ⟦1.45–3.68⟧; p = ⟦0.002⟧).',
  'The hazard ratio was ⟦0.72⟧ and follow-up ⟦3.5⟧ years.',
  'Serum concentration: ⟦4.5 × 10^-3⟧ mol/L, i.e. ⟦0.0045⟧ mol/L or ⟦4.5e-3⟧ mol/L.',
  'Screening visits: ⟦12,345⟧; adherence ⟦81%⟧ (Fig. 3).',
  'Adverse events: ⟦3.2%⟧; the final analysis had ⟦1,190⟧ participants.',
  'Relative risk of falls: ⟦1.04⟧; costs US$⟦1,000⟧ per participant (also ⟦1000⟧ US dollars) over ⟦12⟧ months.',
  'Type ⟦2⟧ diabetes affects ⟦1⟧ in ⟦10⟧ adults; COVID-19 and IL-6 were not studied; Qwen3-4B wrote this.',
  'Adverse events were ⟦3.2 percent⟧ and response ⟦72.4 %⟧.',
  'The authors wrote “⟦Structured exercise is a safe and effective intervention for older adults with type 2 diabetes⟧”.',
  'They report "⟦The hazard ratio for hospitalisation was 0.72⟧".',
  'And: “⟦The effect was significant in all pre-specified subgroups⟧”.',
  'Shortened: “⟦Structured exercise is a safe … intervention for older adults⟧”.',
  'Also “⟦The different intensities were well tolerated by participants in both arms of the trial⟧”.',
  'And “⟦Exercise did not increase the risk of falls⟧” (p. 3).',
  '1. The 2nd point: a “term” is not a quotation.',
  '老年人群患病率为⟦12.8%⟧（第1页）。',
  '共纳入⟦360⟧例患者，每组n=⟦180⟧。',
  '干预组有效率为⟦72％⟧，对照组为⟦58.3%⟧（P<⟦0.05⟧）。',
  '糖化血红蛋白下降⟦0.6%⟧（95%CI ⟦0.3～0.9⟧）。',
  '原文称「⟦该方法显著提高了老年患者的血糖控制水平⟧」。',
  '患者平均年龄⟦68.5⟧岁，随访⟦24⟧个月。',
  'The Chinese trial: response ⟦72 percent⟧ versus a proportion of ⟦0.583⟧ in controls.',
  'Response ⟦７２％⟧ in full-width digits, control ⟦５８．３％⟧.',
  '干预组有效率为⟦百分之七十二⟧，对照组为⟦百分之五十八点三⟧。',
];

/** Sentences with invented figures and quotes (and, where marked ⟦⟧, genuine ones beside them). */
export const PLANTED: readonly string[] = [
  'The response rate was ⟪78%⟫ with exercise.',
  'The trial enrolled ⟪1,284⟫ participants.',
  'Each arm had n = ⟪642⟫ participants.',
  'Difference ⟦14.4 percentage points⟧ (95% CI ⟪9.1–21.7⟫).',
  'Odds ratio ⟦2.31⟧ (p = ⟪0.003⟫).',
  'The odds ratio was ⟪2.13⟫.',
  'Median follow-up was ⟪4.1⟫ years.',
  'Serum concentration was ⟪4.5 × 10^-4⟫ mol/L.',
  'Screening visits: ⟪12,354⟫.',
  'Participants were aged ⟪60–80⟫ years.',
  'The results were published in ⟪2021⟫.',
  'HbA1c changed by ⟪−0.25%⟫.',
  'Patients came from ⟪17⟫ centres.',
  'Relative risk of falls: ⟪1.40⟫.',
  'Adherence was ⟪86%⟫ overall.',
  'The authors wrote “⟪Structured exercise is a safe and useful intervention for elderly people with type 2 diabetes⟫”.',
  'They state “⟪Exercise did increase the risk of falls⟫”.',
  'They report “⟪The hazard ratio for hospitalisation was 0.77⟫”.',
  'The paper says “⟪Older adults should exercise at least five times per week⟫”.',
  'Costs were US$⟪1,500⟫ per participant.',
  '干预组有效率为⟪75%⟫。',
  '共纳入⟪306⟫例患者。',
  '原文称「⟪该方法显著降低了老年患者的死亡率⟫」。',
  '平均年龄⟪65.8⟫岁，随访⟪36⟫个月。',
  '对照组有效率为⟪53.8％⟫（P<⟪0.01⟫）。',
  '干预组有效率为⟪百分之七十五⟫。',
];

export interface MarkedText {
  readonly text: string;
  readonly expected: ReadonlyArray<{ readonly start: number; readonly end: number; readonly text: string; readonly genuine: boolean }>;
}

/** Joins sentences into a bulleted block body and records where each marked claim ends up. */
export function assemble(sentences: readonly string[], prefix = '> - '): MarkedText {
  let text = '';
  const expected: Array<{ start: number; end: number; text: string; genuine: boolean }> = [];
  for (const sentence of sentences) {
    text += prefix;
    const re = /⟦([^⟧]*)⟧|⟪([^⟫]*)⟫/gu;
    let last = 0;
    for (let m = re.exec(sentence); m !== null; m = re.exec(sentence)) {
      text += sentence.slice(last, m.index);
      const inner = m[1] ?? m[2] ?? '';
      expected.push({ start: text.length, end: text.length + inner.length, text: inner, genuine: m[1] !== undefined });
      text += inner;
      last = m.index + m[0].length;
    }
    text += `${sentence.slice(last)}\n`;
  }
  return { text, expected };
}
