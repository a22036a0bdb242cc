/**
 * Where the command line keeps what it can compute again: kept apart from the host so that dist/cli.js can find
 * the code cache without loading the core.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { APP_FOLDER } from '../node/appFolder';

/** The persisted caches (extracted PDF text, results): `$XDG_CACHE_HOME/local-research-assistant`, `~/.cache/…` by default. */
export function cacheFolder(env: Readonly<Record<string, string | undefined>>, home: string = homedir()): string {
  const own = env.RESEARCH_ASSISTANT_CACHE_DIR;
  if (own && isAbsolute(own)) return own;
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.cache'), APP_FOLDER);
}
