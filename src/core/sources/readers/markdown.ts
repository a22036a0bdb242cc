/** Markdown files (linked notes) as sources: the whole body, or the heading section or block an anchor names. */
import type { ParsedNote } from '../../markdown/parseNote';
import { blockSection, headingSection, noteSections } from '../../markdown/sections';
import type { Source } from '../types';
import { basename } from '../uri';
import { fileSource, problemSource, type ReadTarget } from './result';

/** A note's title: front-matter `title`, else its first level-1 heading, else its file name. */
export function noteTitle(note: ParsedNote, uri: string): string {
  const fm = note.frontMatter?.['title'];
  if (typeof fm === 'string' && fm.trim() !== '') return fm.trim();
  const h1 = note.headings.find((h) => h.level === 1);
  if (h1) return h1.text;
  return basename(uri).replace(/\.(md|markdown)$/i, '');
}

/** The source of a parsed markdown file (the caller parses: it may hold the parse already). */
export function readMarkdown(target: ReadTarget, parsed: ParsedNote): Source {
  const { uri, name, anchor } = target;
  const title = target.title ?? noteTitle(parsed, uri);
  if (anchor?.kind === 'heading') {
    const section = headingSection(parsed, anchor.heading);
    if (!section) return problemSource(target, title, 'missing', `${name}: no heading "${anchor.heading}"`);
    return fileSource(target, `${title} § ${section.title}`, section.text, [
      { title: section.title, level: 1, text: section.text, location: { line: section.line, heading: section.title }, role: 'body' },
    ]);
  }
  if (anchor?.kind === 'block') {
    const block = blockSection(parsed, anchor.id);
    if (!block) return problemSource(target, title, 'missing', `${name}: no block ^${anchor.id}`);
    return fileSource(target, `${title} ^${anchor.id}`, block.text, [
      { title, level: 0, text: block.text, location: { line: block.line }, role: 'body' },
    ]);
  }
  const body = parsed.text.slice(parsed.lineStarts[parsed.bodyStartLine] ?? 0);
  return fileSource(target, title, body, noteSections(parsed, title));
}
