/**
 * Puts source text inside explicit delimiters (`<source …>…</source>`), never spliced into
 * instructions, with a locator line per section so a 4B model can cite "(p. 3)" or "(§ Methods)".
 */
import type { Source, SourceSection } from '../sources/types';

/** Neutralises a closing delimiter inside the text, so a source cannot end its own block early. */
function escapeDelimiters(text: string): string {
  return text.replace(/<\/?source\b/gi, (m) => m.replace('<', '‹'));
}

function attr(value: string): string {
  return value.replace(/"/g, "'").replace(/\s+/g, ' ').trim();
}

/** "p. 3", "§ Methods", "p. 3, § Methods" or "" when the section has no location. */
export function formatLocator(section: Pick<SourceSection, 'title' | 'location'>): string {
  const parts: string[] = [];
  if (section.location.page !== undefined) parts.push(`p. ${section.location.page}`);
  const heading = section.location.heading ?? section.title;
  if (heading) parts.push(`§ ${heading}`);
  return parts.join(', ');
}

/** The text of the given sections, each preceded by its locator in square brackets. */
export function sectionsText(sections: readonly SourceSection[]): string {
  return sections
    .map((s) => {
      const loc = formatLocator(s);
      return loc ? `[${loc}]\n${s.text.trim()}` : s.text.trim();
    })
    .filter((t) => t.length > 0)
    .join('\n\n');
}

/** The body sections of a source (a paper's references section is kept out of summaries by default). */
export function bodySections(source: Source): SourceSection[] {
  return source.sections.filter((s) => s.role === 'body');
}

/** One delimited source block; `sections` narrows it to a part (map-reduce). */
export function formatSource(source: Source, sections?: readonly SourceSection[], label?: string): string {
  // The note and the selection are markdown the model reads with their own headings; papers get locators per section.
  const noteLike = source.kind === 'note' || source.kind === 'selection';
  const chosen = sections ?? (noteLike ? [] : bodySections(source));
  const text = chosen.length > 0 ? sectionsText(chosen) : source.text.trim();
  const name = label ?? source.title;
  return `<source id="${attr(source.id)}" title="${attr(name)}">\n${escapeDelimiters(text)}\n</source>`;
}

/** All sources, one block each, in order. */
export function formatSources(sources: readonly Source[]): string {
  return sources.map((s) => formatSource(s)).join('\n\n');
}
