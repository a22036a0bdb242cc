/**
 * The input a task is about to send, checked before any connection: with nothing readable to send the
 * task stops with the reason (an empty note, the missing or unreadable paper named), instead of the user
 * first being told to start a model server and then that there was nothing to do anyway.
 */
import { withoutOwnBlocks } from '../actions/ownBlocks';
import { AssistantError } from '../errors';
import type { NoteParse } from '../insertion/placement';
import { parseNote } from '../markdown/parseNote';
import type { Source } from '../sources/types';
import type { TaskId } from './task';

/** Text worth sending: a note or selection with more than headings (the assistant's own blocks left out). */
function hasText(source: Source, parse: NoteParse): boolean {
  if (source.status !== 'ok') return false;
  const text = withoutOwnBlocks(source).text;
  if (text.trim() === '') return false;
  if (source.kind !== 'note' && source.kind !== 'selection') return true;
  return parse(text).blockSpans.some((s) => s.type !== 'heading' && s.type !== 'frontMatter');
}

/** Linked sources that could not be read (missing, unreadable, refused…), in note order. */
export function unreadableSources(sources: readonly Source[]): Source[] {
  return sources.filter((s) => s.status !== 'ok' && s.kind !== 'note' && s.kind !== 'selection');
}

/** The file as the note links it: the link target for a missing file, else the source's id. */
function linkedName(source: Source): string {
  return source.link?.citekey !== undefined ? `@${source.link.citekey}` : source.id || source.title;
}

/** Throws NoInput or SourceUnreadable when none of the sources has text to send. */
export function checkInput(task: TaskId, sources: readonly Source[], parse: NoteParse = parseNote): void {
  if (sources.some((s) => hasText(s, parse))) return;
  const unreadable = unreadableSources(sources);
  const first = unreadable[0];
  if (first) {
    throw new AssistantError('SourceUnreadable', `${linkedName(first)}: ${first.statusDetail ?? first.status}`, {
      data: {
        file: linkedName(first),
        status: first.status,
        detail: first.statusDetail ?? first.status,
        ...(first.link ? { line: first.link.line + 1 } : {}),
        others: unreadable.length - 1,
      },
    });
  }
  const selection = sources.some((s) => s.kind === 'selection');
  throw new AssistantError('NoInput', `${selection ? 'The selection' : 'The note'} has no text to send`, {
    data: { reason: selection ? 'emptySelection' : task === 'summarize' ? 'emptyNoteSummary' : 'emptyNote' },
  });
}
