/** Keeps the assistant's own inserted blocks out of what is sent (see stripBlocks). */
import { findBlocks, stripBlocks } from '../insertion/markers';
import type { Source } from '../sources/types';

/** Removes blocks, then the blank lines an insertion added, so a note before and after an insertion sends the same text. */
function clean(text: string): string {
  return stripBlocks(text).replace(/\n{3,}/g, '\n\n');
}

/**
 * The note without the assistant's blocks. When the note holds blocks, the reader's sections are dropped
 * (headings inside a block, like "> #### Findings", split sections mid-block) and long notes are split by
 * paragraphs instead; `formatSource` sends notes and selections as their text, so the prompt is the same
 * before and after an insertion.
 */
export function withoutOwnBlocks(source: Source): Source {
  if (source.kind !== 'note' && source.kind !== 'selection' && source.kind !== 'markdown') return source;
  if (findBlocks(source.text).length === 0) return { ...source, text: clean(source.text) };
  return { ...source, text: clean(source.text), sections: [] };
}
