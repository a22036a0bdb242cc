/** A link found in a note by the markdown-it parser (src/core/markdown/parseNote.ts). */
export type LinkForm =
  | 'markdown' // [text](path) and reference links [text][ref]
  | 'image' // ![alt](path)
  | 'autolink' // <file:///…>
  | 'wikilink' // [[Note]], [[Note|alias]], [[Note#Heading]], [[@key]]
  | 'embed' // ![[paper.pdf]]
  | 'citation'; // [@key], [@a; @b], @key

/** Which part of the target the link points at; only that part is sent. */
export type LinkAnchor =
  | { readonly kind: 'heading'; readonly heading: string }
  | { readonly kind: 'block'; readonly id: string }
  | { readonly kind: 'page'; readonly from: number; readonly to: number };

export interface NoteLink {
  readonly form: LinkForm;
  /** The link exactly as written in the note. */
  readonly raw: string;
  /** Character offsets of `raw` in the note text, and its 0-based line. */
  readonly start: number;
  readonly end: number;
  readonly line: number;
  /** The target path or name as written, URL-decoded, without the anchor; empty for citations. */
  readonly target: string;
  readonly anchor?: LinkAnchor;
  /** `[[Note|alias]]` alias or the markdown link text. */
  readonly label?: string;
  /** Set for citations (`[@key]`, `@key`, `[[@key]]`). */
  readonly citekey?: string;
  /** http(s), mailto… : never read. */
  readonly external: boolean;
}

/** Parses `#page=3`, `page=3-5`, `^block`, `Heading` (last part of `A#B#C`). */
export function parseAnchor(fragment: string | undefined): LinkAnchor | undefined {
  if (fragment === undefined) return undefined;
  const text = fragment.trim();
  if (text === '') return undefined;
  const page = /^page=(\d+)(?:\s*[-–]\s*(\d+))?$/i.exec(text);
  if (page) {
    const from = Number(page[1]);
    const to = page[2] === undefined ? from : Math.max(from, Number(page[2]));
    return { kind: 'page', from, to };
  }
  // Obsidian nests headings as Note#H1#H2: the last one is the target.
  const last =
    text
      .split('#')
      .filter((s) => s.trim() !== '')
      .pop() ?? text;
  if (last.startsWith('^')) return { kind: 'block', id: last.slice(1).trim() };
  return { kind: 'heading', heading: last.trim() };
}

/** Splits `path#fragment` and URL-decodes the path when it is percent-encoded. */
export function splitTarget(href: string): { path: string; fragment?: string } {
  const hash = href.indexOf('#');
  const rawPath = hash < 0 ? href : href.slice(0, hash);
  const fragment = hash < 0 ? undefined : href.slice(hash + 1);
  let path = rawPath.trim();
  try {
    path = decodeURIComponent(path);
  } catch {
    // A stray % that is not an escape: keep the path as written.
  }
  return fragment === undefined ? { path } : { path, fragment };
}

const EXTERNAL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** True for links that are not local files (http:, mailto:, obsidian:…); `file:` URIs are local. */
export function isExternal(href: string): boolean {
  if (/^file:/i.test(href)) return false;
  // A Windows drive letter (C:\… or C:/…) is a local path, not a scheme.
  if (/^[a-z]:[\\/]/i.test(href)) return false;
  return EXTERNAL_SCHEME.test(href);
}
