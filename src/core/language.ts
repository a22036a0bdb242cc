/**
 * Output language: `auto` follows the note, and the meta-instructions stay in English with one
 * explicit output-language line (Chinese instruction text makes small models mix languages;
 * Chinese output keeps technical terms as "中文 (English)"). Headings are localised by code, not
 * left to the model.
 */
import type { OutputLanguage } from './config';

export type ResolvedLanguage = 'en' | 'zh-CN' | 'bilingual';

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;
const LATIN_WORD = /[A-Za-z]{2,}/g;

/** `zh-CN` when Chinese characters outweigh Latin words (a Chinese note full of English terms stays Chinese). */
export function detectLanguage(text: string): 'en' | 'zh-CN' {
  const sample = text.length > 20_000 ? text.slice(0, 20_000) : text;
  const cjk = sample.match(CJK)?.length ?? 0;
  const latin = sample.match(LATIN_WORD)?.length ?? 0;
  // One Chinese character carries roughly as much as one English word; 0.5 keeps mixed notes Chinese.
  return cjk > 0 && cjk >= latin * 0.5 ? 'zh-CN' : 'en';
}

export function resolveLanguage(setting: OutputLanguage, noteText: string): ResolvedLanguage {
  return setting === 'auto' ? detectLanguage(noteText) : setting;
}

/** The single output-language line put into every prompt. */
export function languageInstruction(lang: ResolvedLanguage): string {
  switch (lang) {
    case 'zh-CN':
      return [
        'Write the answer in Simplified Chinese.',
        'Keep technical terms as 中文 (English), e.g. 注意力机制 (attention mechanism).',
        'Keep numbers, units and citations exactly as in the sources.',
      ].join(' ');
    case 'bilingual':
      return [
        'Write each point in Simplified Chinese first, then the same point in English on the next line.',
        'Keep technical terms as 中文 (English).',
        'Keep numbers exactly as in the sources.',
      ].join(' ');
    default:
      return 'Write the answer in English. Keep numbers, units and citations exactly as in the sources.';
  }
}

export interface SummaryHeadings {
  readonly background: string;
  readonly methods: string;
  readonly findings: string;
  readonly significance: string;
}

const HEADINGS: Record<'en' | 'zh-CN', SummaryHeadings> = {
  en: { background: 'Background', methods: 'Methods', findings: 'Findings', significance: 'Significance' },
  'zh-CN': { background: '背景', methods: '方法', findings: '发现', significance: '意义' },
};

/** Section headings of a structured summary, bilingual as "背景 / Background". */
export function summaryHeadings(lang: ResolvedLanguage): SummaryHeadings {
  if (lang !== 'bilingual') return HEADINGS[lang];
  const zh = HEADINGS['zh-CN'];
  const en = HEADINGS.en;
  return {
    background: `${zh.background} / ${en.background}`,
    methods: `${zh.methods} / ${en.methods}`,
    findings: `${zh.findings} / ${en.findings}`,
    significance: `${zh.significance} / ${en.significance}`,
  };
}

/** Localised labels the insertion engine writes itself (block titles, incomplete mark, error cells). */
export function blockLabels(lang: ResolvedLanguage): {
  summary: string;
  comparison: string;
  answer: string;
  draft: string;
  explanation: string;
  incomplete: string;
  failed: string;
  notInSources: string;
  notInLibrary: string;
  notInLibraryLanguage: string;
} {
  if (lang === 'zh-CN') {
    return {
      summary: '摘要',
      comparison: '比较',
      answer: '回答',
      draft: '草稿',
      explanation: '解释',
      incomplete: '（未完成）',
      failed: '提取失败',
      notInSources: '来源中未提及',
      notInLibrary: '资料库中没有找到答案：已索引的论文和笔记中没有与这个问题相关的段落。',
      notInLibraryLanguage:
        '无法从资料库回答：为这个问题找到的段落是另一种语言，与问题没有共同的词，无法核实它们是否回答了这个问题。请用论文的语言或论文中的术语再问一次。',
    };
  }
  return {
    summary: 'Summary',
    comparison: 'Comparison',
    answer: 'Answer',
    draft: 'Draft',
    explanation: 'Explanation',
    incomplete: '(incomplete)',
    failed: 'extraction failed',
    notInSources: 'not in the sources',
    notInLibrary: 'Not in the library: no passage of the indexed papers and notes matches this question.',
    notInLibraryLanguage:
      'Not answered from the library: the passages found for this question are in another language and share no words ' +
      "with it, so whether they answer it cannot be checked. Ask again in the papers' language, or with their terms.",
  };
}
