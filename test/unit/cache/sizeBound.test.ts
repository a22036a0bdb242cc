import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { SizeBound, WRITES_PER_SCAN } from '../../../src/core/cache/sizeBound';

suite('size bound of a file-per-entry store', () => {
  test('the first write scans; then only past the bound or every WRITES_PER_SCAN writes', () => {
    const bound = new SizeBound(1_000);
    assert.equal(bound.wrote(100, 0), true, 'the total is unknown before the first scan');
    assert.deepEqual(bound.scanned([{ size: 100, mtime: 1 }]), []);
    let scans = 0;
    for (let i = 1; i < WRITES_PER_SCAN; i++) if (bound.wrote(1, 1)) scans++;
    assert.equal(scans, 0, 'replacing entries of the same size keeps the total: no scan');
    assert.equal(bound.wrote(1, 1), true, 'the periodic scan sees other writers');
    bound.scanned([{ size: 100, mtime: 1 }]);
    assert.equal(bound.wrote(900, 0), false, 'at the bound: no scan');
    assert.equal(bound.wrote(1, 0), true, 'past it: scan');
  });

  test('a scan over the bound evicts the least recently written entries until the rest fit', () => {
    const bound = new SizeBound(250);
    const entries = [
      { name: 'new', size: 100, mtime: 30 },
      { name: 'old', size: 100, mtime: 10 },
      { name: 'mid', size: 100, mtime: 20 },
    ];
    assert.deepEqual(
      bound.scanned(entries).map((e) => e.name),
      ['old'],
    );
    assert.equal(bound.wrote(0, 0), false, 'the total after eviction (200) is kept');
    assert.deepEqual(
      new SizeBound(50).scanned(entries).map((e) => e.name),
      ['old', 'mid', 'new'],
      'an entry larger than the bound goes too',
    );
    assert.deepEqual(
      entries.map((e) => e.name),
      ['new', 'old', 'mid'],
      'the caller’s list is not reordered',
    );
  });

  test('after clear() the total is zero, known without a scan', () => {
    const bound = new SizeBound(100);
    bound.cleared();
    assert.equal(bound.wrote(60, 0), false);
    assert.equal(bound.wrote(60, 0), true);
  });
});
