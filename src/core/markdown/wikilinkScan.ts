/**
 * Finding an Obsidian wikilink in a line of markdown, shared by the note parser and the editor's preview so both
 * see the same links. A leaf module (no imports): the preview's bundle loads it at activation.
 */

/** A `[[inner]]` or `![[inner]]` found in the text. */
export interface ScannedWikilink {
  /** `![[…]]`: an embed. */
  readonly embed: boolean;
  /** What is between the brackets: the target, its fragment and alias, unparsed. */
  readonly inner: string;
  /** The offset just after the closing `]]`. */
  readonly end: number;
}

/**
 * The wikilink starting at `pos` (at its `[[`, or at the `!` of an embed), or undefined. It must close on the
 * same line, hold no `[` and name something: `[[ ]]` and `[[a [b]]` are not wikilinks.
 */
export function scanWikilink(src: string, pos: number): ScannedWikilink | undefined {
  const embed = src.charCodeAt(pos) === 0x21; /* ! */
  const open = embed ? pos + 1 : pos;
  if (src.charCodeAt(open) !== 0x5b || src.charCodeAt(open + 1) !== 0x5b) return undefined;
  const close = src.indexOf(']]', open + 2);
  if (close < 0) return undefined;
  const inner = src.slice(open + 2, close);
  if (inner.includes('\n') || inner.includes('[') || inner.trim() === '') return undefined;
  return { embed, inner, end: close + 2 };
}
