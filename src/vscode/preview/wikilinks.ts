/**
 * Obsidian wikilinks for the markdown preview: `[[note]]`, `[[papers/x.pdf#page=3]]`, `[[note|alias]]`, `![[x]]`,
 * rendered as ordinary links (images for embedded images) so that clicking one opens the file. Targets resolve
 * against the note's folder, the way the preview resolves any relative link; a name without an extension is a note
 * (`.md` added). `[[@key]]` is a citation, shown as `@key`.
 */
import type MarkdownIt from 'markdown-it';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';
import { scanWikilink } from '../../core/activation';

const IMAGE = /\.(?:png|jpe?g|gif|svg|webp|bmp|avif)$/iu;

/** The part of `[[…]]` that names the file, its fragment and its alias. A `\|` (pipe escaped in a table cell) separates the alias too. */
export function parseWikilink(inner: string): { path: string; fragment?: string; alias?: string } {
  const bar = /\\?\|/u.exec(inner);
  const target = bar ? inner.slice(0, bar.index) : inner;
  const alias = bar ? inner.slice(bar.index + bar[0].length).trim() : undefined;
  const hash = target.indexOf('#');
  const path = (hash < 0 ? target : target.slice(0, hash)).trim();
  const fragment = hash < 0 ? undefined : target.slice(hash + 1).trim();
  return { path, ...(fragment ? { fragment } : {}), ...(alias ? { alias } : {}) };
}

/** A heading as the preview names its anchor: lower case, spaces as hyphens, punctuation dropped. */
function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[\][!/'"#$%&()*+,.:;<=>?@\\^{|}~`。，、；：？！…—·“”（）【】《》「」]/gu, '')
    .replace(/\s+/gu, '-');
}

/** The href of a wikilink: the path as written, `.md` for a bare note name, the fragment kept (`#page=3`). */
export function wikilinkHref(path: string, fragment?: string): string {
  const file = path === '' || /\.[a-z0-9]{1,8}$/iu.test(path) ? path : `${path}.md`;
  if (fragment === undefined) return file;
  const isNote = file === '' || file.toLowerCase().endsWith('.md');
  // Obsidian nests headings as Note#H1#H2 and names blocks with ^id: the last heading is the one to show.
  const last =
    fragment
      .split('#')
      .filter((s) => s.trim() !== '')
      .pop() ?? fragment;
  return `${file}#${isNote && !last.startsWith('^') ? headingSlug(last) : last}`;
}

function wikilinkRule(state: StateInline, silent: boolean): boolean {
  const found = scanWikilink(state.src, state.pos);
  if (!found) return false;
  const { embed, end } = found;
  const { path, fragment, alias } = parseWikilink(found.inner);
  if (!silent) {
    if (path.startsWith('@')) {
      const token = state.push('text', '', 0);
      token.content = alias ?? path;
    } else {
      const href = state.md.normalizeLink(wikilinkHref(path, fragment));
      if (!state.md.validateLink(href)) return false;
      const text = alias ?? (fragment ? `${path}#${fragment}` : path);
      if (embed && IMAGE.test(path)) {
        const image = state.push('image', 'img', 0);
        image.attrs = [
          ['src', href],
          ['alt', ''],
        ];
        const alt = new state.Token('text', '', 0);
        alt.content = text;
        image.children = [alt];
        image.content = text;
      } else {
        const open = state.push('link_open', 'a', 1);
        open.attrs = [
          ['href', href],
          ['class', 'wikilink'],
        ];
        open.markup = 'wikilink';
        const label = state.push('text', '', 0);
        label.content = text;
        state.push('link_close', 'a', -1);
      }
    }
  }
  state.pos = end;
  return true;
}

/** Adds the wikilink rule before markdown-it's own link rule, so `[[` never starts a link or a reference. */
export function wikilinks(md: MarkdownIt): void {
  md.inline.ruler.before('link', 'research_wikilink', wikilinkRule);
}
