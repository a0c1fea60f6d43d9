import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleSpills, spillFileName } from './staleSpills.js';

const DEAD = 4_000_001;
const LIVE = 4_000_002;

describe('removeStaleSpills', () => {
  it("removes spill files of this machine's dead processes only", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-spills-'));
    const make = (name: string) => {
      writeFileSync(join(dir, name), 'spilled');
      return name;
    };
    const dead = make(spillFileName(randomUUID(), DEAD, 'here.example'));
    const live = make(spillFileName(randomUUID(), LIVE, 'here.example'));
    const mine = make(spillFileName(randomUUID(), process.pid, 'here.example'));
    const elsewhere = make(spillFileName(randomUUID(), DEAD, 'there'));
    // Named before spills carried their machine: whose it is cannot be told.
    const untagged = make(`lossflow-spill-${DEAD}-${randomUUID()}`);
    const other = make(`other-${DEAD}.tmp`);
    const folder = spillFileName(randomUUID(), DEAD, 'here.example');
    mkdirSync(join(dir, folder));

    const removed = removeStaleSpills(dir, (pid) => pid === LIVE, 'here.example');
    expect(removed).toEqual([join(dir, dead)]);
    expect(readdirSync(dir).sort()).toEqual([live, mine, elsewhere, untagged, other, folder].sort());
  });

  it('does nothing in a folder it cannot read', () => {
    expect(removeStaleSpills('/no/such/folder')).toEqual([]);
  });
});
