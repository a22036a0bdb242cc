/** The folder name the tool's settings and caches live under (`~/.config/…`, `~/.cache/…`). */
export const APP_FOLDER = 'local-research-assistant';
