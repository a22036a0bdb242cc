/**
 * The part of the core the activation bundle (dist/extension.js) may load: leaf modules that import no library and
 * no other part of the core. A host's activation code imports these from here rather than from './index', whose
 * exports pull in the libraries (markdown-it, openai, yaml) that are loaded only with the features; activation
 * evaluates every byte of its bundle, and esbuild.mjs fails the build when a library gets into it.
 *
 * Add a module here only if it stays a leaf: anything it imports lands in the activation bundle too.
 */
export { DEFAULT_CONFIG, resolveConfig, SETTING_KEYS } from './config';
export type { AssistantConfig, ExplainTermStyle, OnCancel, OutputLanguage, OutputStyle } from './config';
export { redact } from './redact';
export { nullLogger, type Logger } from './ports/logger';
export { scanWikilink, type ScannedWikilink } from './markdown/wikilinkScan';
