// markdown-it-obsidian-callouts ships no types; it is a plain markdown-it plugin.
declare module 'markdown-it-obsidian-callouts' {
  import type { PluginWithOptions } from 'markdown-it';
  const callouts: PluginWithOptions<{ readonly icons?: Readonly<Record<string, string>> }>;
  // The package's real shape is a default export.
  // eslint-disable-next-line no-restricted-syntax
  export default callouts;
}
