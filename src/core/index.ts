/**
 * The host-neutral core: no `vscode`, no Node built-ins (enforced by ESLint and `npm run check:core`).
 * Adapters (src/vscode today) implement the ports and call in through this entry only.
 */
export * from './errors';
export * from './config';
export { redact } from './redact';
export type { Logger } from './ports/logger';
export { nullLogger } from './ports/logger';
export type { ProgressReporter } from './ports/progress';
export { nullProgress } from './ports/progress';
export type { NoteDocument, OffsetRange } from './ports/document';
export type { FileReader, KeyValueStore } from './ports/files';
