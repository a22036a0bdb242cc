/**
 * The size bound of a store that keeps one file per entry (the Node and the VS Code file stores): over the bound,
 * the least recently written entries go first.
 *
 * Looking at the whole folder (a listing and a stat per entry) at every write made a library build of n papers
 * O(n²) in stats (1,000 PDFs: about half a million). So the folder is scanned at the first write, and then only
 * when the total kept from the sizes written passes the bound, or every WRITES_PER_SCAN writes: another process or
 * window writing the same folder is seen at that scan.
 */
export const WRITES_PER_SCAN = 256;

/** An entry as a scan of the folder finds it. */
export interface StoredEntry {
  readonly size: number;
  /** When it was last written (ms): the oldest go first. */
  readonly mtime: number;
}

export class SizeBound {
  /** The entries' total size as of the last scan plus what was written since; unknown before the first scan. */
  private total: number | undefined;
  private writesSinceScan = 0;

  constructor(readonly maxBytes: number) {}

  /** Records a write of `bytes` that replaced an entry of `replaced` bytes; true when the folder is to be scanned now. */
  wrote(bytes: number, replaced: number): boolean {
    this.writesSinceScan += 1;
    if (this.total !== undefined) this.total += bytes - replaced;
    return this.total === undefined || this.total > this.maxBytes || this.writesSinceScan >= WRITES_PER_SCAN;
  }

  /**
   * Records a scan of the folder and returns the entries to remove, oldest first, so that the rest fit the bound.
   * The caller removes them (one that another writer removed meanwhile is gone all the same).
   */
  scanned<E extends StoredEntry>(entries: readonly E[]): E[] {
    this.writesSinceScan = 0;
    let total = entries.reduce((n, e) => n + e.size, 0);
    const evict: E[] = [];
    if (total > this.maxBytes) {
      for (const e of [...entries].sort((a, b) => a.mtime - b.mtime)) {
        if (total <= this.maxBytes) break;
        evict.push(e);
        total -= e.size;
      }
    }
    this.total = total;
    return evict;
  }

  /** The store was emptied. */
  cleared(): void {
    this.total = 0;
  }
}
