/**
 * File-URI helpers on WHATWG URL (the core has no Node `path`). URIs from VS Code and from `new URL` may
 * encode differently, so comparisons go through `uriKey`.
 */

/** Decoded path of a file URI, for comparisons and display. */
export function uriPath(uri: string): string {
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}

/** Comparison key: decoded path, case-folded on Windows-style drive paths only. */
export function uriKey(uri: string): string {
  const path = uriPath(uri).replace(/\/+$/, '');
  return /^\/[a-z]:/i.test(path) ? path.toLowerCase() : path;
}

export function basename(uri: string): string {
  const path = uriPath(uri);
  return path.slice(path.lastIndexOf('/') + 1);
}

export function extname(nameOrUri: string): string {
  const name = nameOrUri.slice(nameOrUri.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

export function dirname(uri: string): string {
  return uri.slice(0, uri.lastIndexOf('/') + 1);
}

/** Escapes what URL would read as a query or fragment, then resolves against `base`. */
export function resolveRelative(relativePath: string, base: string): string {
  const escaped = relativePath.replace(/%/g, '%25').replace(/#/g, '%23').replace(/\?/g, '%3F').replace(/\\/g, '/');
  return new URL(escaped, base).href;
}

/** A POSIX absolute path as a file URI. */
export function fileUri(absolutePath: string): string {
  return resolveRelative(absolutePath, 'file:///');
}

/** A Windows path (C:\…, C:/…, \\server\share) that cannot exist on this POSIX machine. */
export function isWindowsPath(path: string): boolean {
  return /^[a-z]:[\\/]/i.test(path) || path.startsWith('\\\\');
}

export function isInside(uri: string, folder: string): boolean {
  const path = uriKey(uri);
  const root = uriKey(folder);
  return path === root || path.startsWith(`${root}/`);
}

/** Path relative to the first folder that holds the URI, else the decoded absolute path. */
export function workspaceRelative(uri: string, folders: readonly string[]): string {
  for (const folder of folders) {
    if (isInside(uri, folder)) return uriKey(uri).slice(uriKey(folder).length + 1);
  }
  return uriPath(uri);
}
