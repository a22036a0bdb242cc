/** Draft Section: paragraphs for the selected outline, the heading given, or the line or heading at the cursor. */
import { draft } from '../actions/draft';
import { AssistantError } from '../errors';
import { afterSelection, type Placement } from '../insertion/placement';
import { lineEnd } from '../insertion/streaming';
import type { ParsedNote } from '../markdown/parseNote';
import { LIBRARY_PASSAGES } from './askLibrary';
import { shortHash, type TaskDescriptor, type TaskInput } from './task';

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
}

/** Offset of the start of a 0-based line. */
function offsetOfLine(text: string, line: number): number {
  let at = 0;
  for (let i = 0; i < line; i += 1) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return at;
}

/** The outline to draft from and where the draft goes. */
function outlineOf(input: TaskInput): { outline: string; placement: Placement } {
  const { text, request } = input;
  const headings = (): ParsedNote['headings'] => input.parse(text).headings;
  // A draft for a heading goes at the end of its section, after what the user already wrote under it.
  const headingLine = (line: number): { outline: string; placement: Placement } => {
    const start = offsetOfLine(text, line);
    return { outline: text.slice(start, lineEnd(text, start)), placement: { after: 'section', at: start } };
  };
  if (input.args.heading !== undefined) {
    const wanted = input.args.heading.replace(/^#+\s*/, '').trim();
    const found = headings().find((h) => h.text.trim() === wanted);
    if (!found) throw new AssistantError('NoInput', `No heading "${wanted}" in the note`);
    return headingLine(found.line);
  }
  if (request.selection)
    return { outline: text.slice(request.selection.start, request.selection.end), placement: afterSelection(request.selection) };
  const cursor = Math.min(request.cursor ?? 0, text.length);
  const start = lineStart(text, cursor);
  const cursorLine = text.slice(0, cursor).split('\n').length - 1;
  const outline = text.slice(start, lineEnd(text, start));
  if (outline.trim()) {
    if (headings().some((h) => h.line === cursorLine)) return headingLine(cursorLine);
    return { outline, placement: { after: 'block', at: cursor } };
  }
  // An empty line: the nearest heading above the cursor (from the markdown-it parse, so a `#` line inside a
  // code block is not taken for a heading).
  const last = headings()
    .filter((h) => h.line <= cursorLine)
    .at(-1);
  return last ? headingLine(last.line) : { outline, placement: { after: 'block', at: cursor } };
}

export const draftTask: TaskDescriptor = {
  id: 'draft',
  prepare: (input) => {
    const { outline, placement } = outlineOf(input);
    if (!outline.trim()) throw new AssistantError('NoInput', 'Select an outline or put the cursor on a heading');
    const trimmed = outline.trim();
    const library = input.args.scope === 'library';
    return {
      kind: 'draft',
      target: `draft:${shortHash(trimmed)}${library ? ':library' : ''}`,
      placement,
      scope: { links: 'all', useSelection: false },
      ...(library ? { library: { query: trimmed.replace(/^#+\s*/, ''), limit: LIBRARY_PASSAGES } } : {}),
      choose: (collected, env) => {
        // Context = the linked papers and library passages; the note itself only when there is nothing else.
        const passages = env.passages ?? [];
        const linked = collected.sources.some((s) => s.status === 'ok') ? collected.sources : [];
        const sources = linked.length + passages.length > 0 ? [...linked, ...passages] : [collected.note];
        return { sources, title: env.labels.draft };
      },
      generate: (env, sources, sink) => draft(env.ctx, { outline: trimmed, sources, language: env.language }, sink),
    };
  },
};
