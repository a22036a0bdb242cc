/**
 * Where the library index keeps its files. The core decides what is stored and in which format (a manifest,
 * one segment and one vector file per indexed file, a snapshot of the search structures) and names each
 * blob; the host only keeps named bytes. Hosts on Node (the VS Code extension host, the CLI) use a folder;
 * another host could keep the same blobs elsewhere. A server search engine (Qdrant, Postgres with pgvector,
 * OpenSearch) would instead stand in for the whole LibraryIndex, behind the same put/remove/search calls.
 */
export interface LibraryStore {
  /** The blob's bytes, or undefined when there is none. Names are short, folder-safe and case-sensitive. */
  read(name: string): Promise<Uint8Array | undefined>;
  /** Replaces the blob atomically: a reader (or a process started after a crash) sees the old or the new bytes. */
  write(name: string, data: Uint8Array): Promise<void>;
  delete(name: string): Promise<void>;
  /** Every blob name present. */
  list(): Promise<string[]>;
  /** Removes every blob. */
  clear(): Promise<void>;
}

/** A store in memory: for tests and for hosts that keep no index between sessions. */
export class MemoryLibraryStore implements LibraryStore {
  readonly blobs = new Map<string, Uint8Array>();

  async read(name: string): Promise<Uint8Array | undefined> {
    return this.blobs.get(name)?.slice();
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    this.blobs.set(name, data.slice());
  }

  async delete(name: string): Promise<void> {
    this.blobs.delete(name);
  }

  async list(): Promise<string[]> {
    return [...this.blobs.keys()];
  }

  async clear(): Promise<void> {
    this.blobs.clear();
  }
}
