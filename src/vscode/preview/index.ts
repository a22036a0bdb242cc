/**
 * The markdown preview's plugins for the syntax the assistant writes into notes (dist/preview.js, required by
 * extendMarkdownIt in extension.ts only when VS Code builds its markdown renderer):
 * - callouts `> [!summary] Title` as titled boxes (styled by media/preview.css),
 * - footnotes `[^k3x-1]` as numbered references with the notes at the end,
 * - wikilinks `[[papers/x.pdf#page=3|alias]]` as links that open the file.
 */
import type MarkdownIt from 'markdown-it';
import footnote from 'markdown-it-footnote';
import callouts from 'markdown-it-obsidian-callouts';
import { wikilinks } from './wikilinks';

export function extendMarkdownIt(md: MarkdownIt): MarkdownIt {
  md.use(callouts);
  // Another extension (a footnotes preview extension, say) may have added footnotes already: a second copy would
  // list every footnote twice.
  if (!md.renderer.rules.footnote_ref) md.use(footnote);
  md.use(wikilinks);
  return md;
}
