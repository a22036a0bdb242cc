/** Source objects for unit tests, built directly (the PDF and markdown readers are not involved). */
import type { Source, SourceSection } from '../../../src/core/sources/types';

export function makeSource(id: string, sections: { title: string; text: string; page?: number }[], extra: Partial<Source> = {}): Source {
  const secs: SourceSection[] = sections.map((s) => ({
    title: s.title,
    level: 2,
    text: s.text,
    location: s.page ? { page: s.page } : { heading: s.title },
    role: 'body',
  }));
  const text = sections.map((s) => `${s.title}\n${s.text}`).join('\n\n');
  return {
    id,
    uri: `file:///ws/${id}`,
    title: id,
    kind: 'pdf',
    status: 'ok',
    text,
    sections: secs,
    tokenEstimate: Math.ceil(text.length / 4),
    ...extra,
  };
}

/** A paper of about `tokens` tokens in `n` sections, each sentence numbered so tests can check nothing was dropped. */
export function bigPaper(id: string, n: number, tokens: number): Source {
  const perSection = Math.ceil((tokens * 4) / n);
  const sections = Array.from({ length: n }, (_, i) => {
    let text = '';
    let k = 0;
    while (text.length < perSection) text += `Sentence ${i + 1}.${(k += 1)} reports a value of ${(i * 7 + k) % 97}%. `;
    return { title: `Section ${i + 1}`, text, page: i + 1 };
  });
  return makeSource(id, sections);
}
