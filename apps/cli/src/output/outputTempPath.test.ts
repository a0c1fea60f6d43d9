import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputTempPath, removeStaleOutputTemps } from './outputTempPath.js';

const DEAD = 4_000_001;
const LIVE = 4_000_002;
const alive = (pid: number) => pid === LIVE;

describe('outputTempPath', () => {
  it('is a hidden file beside the target naming it, the process and the machine', () => {
    const path = outputTempPath('/runs/losses.arrows', 4242, 'node1.example.org');
    expect(dirname(path)).toBe('/runs');
    expect(basename(path)).toMatch(/^\.losses\.arrows\.4242-[a-z0-9]{8}\.node1-example-org\.lossflow-tmp$/);
  });
});

describe('removeStaleOutputTemps', () => {
  it("removes the target's temporary files of dead processes of this machine, and nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-temps-'));
    const target = join(dir, 'log.arrows');
    const make = (path: string) => {
      writeFileSync(path, 'partial');
      return basename(path);
    };
    const dead = make(outputTempPath(target, DEAD, 'here'));
    // Written by a version whose names carried no machine.
    const legacy = make(join(dir, `.log.arrows.${DEAD}-abc123.lossflow-tmp`));
    const running = make(outputTempPath(target, LIVE, 'here'));
    const elsewhere = make(outputTempPath(target, DEAD, 'other-machine'));
    const otherTarget = make(outputTempPath(join(dir, 'log.arrows.bak'), DEAD, 'here'));
    const mine = make(outputTempPath(target, process.pid, 'here'));
    const folderLikeATemp = basename(outputTempPath(target, DEAD, 'here'));
    mkdirSync(join(dir, folderLikeATemp));
    make(target);

    const removed = removeStaleOutputTemps(target, alive, 'here');
    expect(removed.map((p) => basename(p)).sort()).toEqual([dead, legacy].sort());
    expect(readdirSync(dir).sort()).toEqual(
      ['log.arrows', running, elsewhere, otherTarget, mine, folderLikeATemp].sort(),
    );
    expect(existsSync(target)).toBe(true);
  });

  it('does nothing in a folder it cannot read', () => {
    expect(removeStaleOutputTemps('/no/such/folder/log.arrows', alive, 'here')).toEqual([]);
  });
});
