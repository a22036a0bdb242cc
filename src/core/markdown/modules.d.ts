// markdown-it-footnote ships no types; it is a plain markdown-it plugin.
declare module 'markdown-it-footnote' {
  import type { PluginSimple } from 'markdown-it';
  const footnote: PluginSimple;
  // The package's real shape is a default export.
  // eslint-disable-next-line no-restricted-syntax
  export default footnote;
}
