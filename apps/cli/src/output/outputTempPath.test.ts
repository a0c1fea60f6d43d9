import { spawn } from 'node:child_process';
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
    expect(basename(path)).toMatch(
      /^\.losses\.arrows\.4242-[a-z0-9]{8}\.node1-example-org-[0-9a-f]{8}\.lossflow-tmp$/,
    );
  });
});

describe('removeStaleOutputTemps', () => {
  it("removes the folder's temporary files of dead processes of this machine, of any output, and nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-temps-'));
    const target = join(dir, 'log.arrows');
    const make = (path: string) => {
      writeFileSync(path, 'partial');
      return basename(path);
    };
    const dead = make(outputTempPath(target, DEAD, 'here'));
    // Written by a version whose names carried no machine: only the target's own are removed.
    const legacy = make(join(dir, `.log.arrows.${DEAD}-abc123.lossflow-tmp`));
    const legacyOther = make(join(dir, `.report.html.${DEAD}-abc123.lossflow-tmp`));
    const running = make(outputTempPath(target, LIVE, 'here'));
    const elsewhere = make(outputTempPath(target, DEAD, 'other-machine'));
    // Another output of the folder (a --report killed with SIGKILL), by a dead process of this machine.
    const otherTarget = make(outputTempPath(join(dir, 'log.arrows.bak'), DEAD, 'here'));
    const otherRunning = make(outputTempPath(join(dir, 'report.html'), LIVE, 'here'));
    const otherElsewhere = make(outputTempPath(join(dir, 'report.html'), DEAD, 'there'));
    const mine = make(outputTempPath(target, process.pid, 'here'));
    const notOurs = make(join(dir, `.notes.${DEAD}-abc.here.tmp`));
    const folderLikeATemp = basename(outputTempPath(target, DEAD, 'here'));
    mkdirSync(join(dir, folderLikeATemp));
    make(target);

    const removed = removeStaleOutputTemps(target, alive, 'here');
    expect(removed.map((p) => basename(p)).sort()).toEqual([dead, legacy, otherTarget].sort());
    expect(readdirSync(dir).sort()).toEqual(
      [
        'log.arrows',
        legacyOther,
        running,
        elsewhere,
        otherRunning,
        otherElsewhere,
        mine,
        notOurs,
        folderLikeATemp,
      ].sort(),
    );
    expect(existsSync(target)).toBe(true);
  });

  it('removes a stale temporary file of a really dead process, keeps one of a live process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-temps-'));
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    const dead = outputTempPath(join(dir, 'a.arrows'), child.pid!);
    const live = outputTempPath(join(dir, 'b.arrows'), process.ppid);
    writeFileSync(dead, 'partial');
    writeFileSync(live, 'partial');
    expect(removeStaleOutputTemps(join(dir, 'c.arrows'))).toEqual([dead]);
    expect(existsSync(live)).toBe(true);
  });

  it('does nothing in a folder it cannot read', () => {
    expect(removeStaleOutputTemps('/no/such/folder/log.arrows', alive, 'here')).toEqual([]);
  });
});
