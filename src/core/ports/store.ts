/** Persisted caches: the core names an area and its size bound; the host stores it (global storage, a cache folder). */
import type { KeyValueStore } from './files';

export interface StoreArea {
  /** A folder-safe name, e.g. `results`. */
  readonly name: string;
  /** The area keeps at most this many bytes, evicting the least recently written entries. */
  readonly maxBytes: number;
}

export interface StoreProvider {
  open(area: StoreArea): KeyValueStore;
}
