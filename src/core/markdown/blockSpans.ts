/** The top-level blocks of a parsed note, for placing inserted blocks between them. */
import type Token from 'markdown-it/lib/token.mjs';

/**
 * A top-level block of the note (paragraph, list, table, blockquote or callout, fenced code, heading, HTML,
 * front matter, or a run of footnote / link reference definitions): its lines, trailing blank lines left out.
 */
export interface NoteBlockSpan {
  readonly type: 'heading' | 'frontMatter' | 'definitions' | 'other';
  /** Heading level (1-6); 0 for other blocks. */
  readonly level: number;
  readonly startLine: number;
  /** The line after the block's last non-blank line. */
  readonly endLine: number;
}

/**
 * Top-level blocks from the token maps. Footnote and link reference definitions leave no token with a line
 * map, so the non-blank lines no token covers become "definitions" blocks.
 */
export function collectBlockSpans(tokens: readonly Token[], text: string, lineStarts: readonly number[]): NoteBlockSpan[] {
  const isBlank = (line: number): boolean => {
    const start = lineStarts[line] ?? text.length;
    const end = line + 1 < lineStarts.length ? (lineStarts[line + 1] ?? text.length) : text.length;
    return text.slice(start, end).trim() === '';
  };
  const spans: NoteBlockSpan[] = [];
  for (const t of tokens) {
    if (t.level !== 0 || t.nesting === -1 || !t.map) continue;
    let end = t.map[1];
    while (end > t.map[0] + 1 && isBlank(end - 1)) end -= 1;
    const type = t.type === 'heading_open' ? 'heading' : t.type === 'front_matter' ? 'frontMatter' : 'other';
    spans.push({ type, level: type === 'heading' ? Number(t.tag.slice(1)) : 0, startLine: t.map[0], endLine: end });
  }
  spans.sort((a, b) => a.startLine - b.startLine);
  const lineCount = text.endsWith('\n') ? lineStarts.length - 1 : lineStarts.length;
  const withDefinitions: NoteBlockSpan[] = [];
  let line = 0;
  const addUncovered = (until: number): void => {
    for (; line < until; line += 1) {
      if (isBlank(line)) continue;
      const last = withDefinitions.at(-1);
      if (
        last?.type === 'definitions' &&
        (last.endLine === line || (line > 0 && isBlank(line - 1) && /^\s/.test(text.slice(lineStarts[line] ?? 0))))
      ) {
        withDefinitions[withDefinitions.length - 1] = { ...last, endLine: line + 1 };
      } else withDefinitions.push({ type: 'definitions', level: 0, startLine: line, endLine: line + 1 });
    }
  };
  for (const span of spans) {
    addUncovered(span.startLine);
    withDefinitions.push(span);
    line = Math.max(line, span.endLine);
  }
  addUncovered(lineCount);
  return withDefinitions;
}
