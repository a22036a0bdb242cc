/**
 * Explain Term: a grounded explanation as a footnote at the term (the edit plan is the footnote reference
 * and its definition), or as a callout block after the block (paragraph, list…) holding the term.
 */
import { explainTerm } from '../actions/explainTerm';
import { AssistantError } from '../errors';
import type { OffsetRange } from '../ports/document';
import { noteAndLinked, type TaskDescriptor, type TaskInput } from './task';

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

/** The word (or hyphenated term, or CJK run) at an offset, as offsets; undefined between words. */
export function wordAt(text: string, offset: number): OffsetRange | undefined {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const nl = text.indexOf('\n', offset);
  const line = text.slice(start, nl < 0 ? text.length : nl);
  for (const m of line.matchAll(WORD)) {
    const s = start + (m.index ?? 0);
    const e = s + m[0].length;
    if (s <= offset && offset <= e) return { start: s, end: e };
  }
  return undefined;
}

/** The term and where it stands: the selection, the term given (its first occurrence), or the word at the cursor. */
export function termAt(input: {
  readonly text: string;
  readonly args: TaskInput['args'];
  readonly request: Pick<TaskInput['request'], 'selection' | 'cursor'>;
}): { term: string; at: OffsetRange } {
  const { text, args, request } = input;
  const cursor = request.cursor ?? 0;
  let range: OffsetRange | undefined = request.selection ?? wordAt(text, cursor);
  const term = args.term ?? (range ? text.slice(range.start, range.end).trim() : '');
  if (args.term !== undefined && !request.selection) {
    // A term given by name: explained where it first occurs in the note.
    const at = text.indexOf(args.term);
    range = at >= 0 ? { start: at, end: at + args.term.length } : undefined;
  }
  return { term, at: range ?? { start: cursor, end: cursor } };
}

export const explainTermTask: TaskDescriptor = {
  id: 'explainTerm',
  prepare: (input) => {
    const { term, at } = termAt(input);
    if (!term) throw new AssistantError('NoInput', 'No term selected');
    const footnote = input.config.explainTermStyle === 'footnote';
    return {
      kind: 'explanation',
      target: `term:${term.toLowerCase()}`,
      placement: { after: 'block', at: at.end },
      scope: { links: 'all', useSelection: false },
      ...(footnote ? { footnote: { term, at } } : {}),
      choose: (collected, env) => ({ sources: noteAndLinked(collected), title: `${env.labels.explanation}: ${term}` }),
      generate: (env, sources, sink) => explainTerm(env.ctx, { term, sources, language: env.language }, sink),
    };
  },
};
