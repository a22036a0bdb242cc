/** Keeps the assistant's own inserted blocks out of what is sent (see stripBlocks). */
import { stripBlocks } from '../insertion/markers';
import type { Source } from '../sources/types';

export function withoutOwnBlocks(source: Source): Source {
  if (source.kind !== 'note' && source.kind !== 'selection' && source.kind !== 'markdown') return source;
  if (!source.text.includes('<!-- research:')) return source;
  return {
    ...source,
    text: stripBlocks(source.text),
    sections: source.sections.map((s) => (s.text.includes('<!-- research:') ? { ...s, text: stripBlocks(s.text) } : s)),
  };
}
