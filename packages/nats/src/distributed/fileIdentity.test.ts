import {
  closeSync,
  mkdtempSync,
  openSync,
  renameSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PassChunks } from '@lossflow/rx';
import { describe, expect, it } from 'vitest';
import { NATS_PROTOCOL_VERSION } from '../protocol.js';
import { DistributedRunError } from './DistributedRunError.js';
import { checkItemFile, checkItemRead, fileIdentity } from './fileIdentity.js';
import type { WorkItem } from './WorkItem.js';

const dir = mkdtempSync(join(tmpdir(), 'lossflow-identity-'));

function item(path: string, extra: Partial<WorkItem> = {}): WorkItem {
  return {
    v: NATS_PROTOCOL_VERSION,
    run: 'r',
    index: 2,
    path,
    format: 'arrow-stream',
    file: 0,
    part: { first: 3, end: 6 },
    rows: 30,
    bytes: 300,
    spec: null,
    ...extra,
  };
}

async function failure(p: Promise<void> | (() => void)): Promise<unknown> {
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('checkItemFile', () => {
  it('passes the planned file, and fails FILE_CHANGED naming item and file when it was cut, rewritten or replaced', async () => {
    const path = join(dir, 'a.bin');
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    writeFileSync(path, bytes);
    const planned = item(path, { identity: await fileIdentity(path) });
    await expect(checkItemFile(planned)).resolves.toBeUndefined();

    // Rewritten: another time (a write), and another byte in the last 64 KiB.
    bytes[199_000] = 7;
    writeFileSync(path, bytes);
    const rewritten = await failure(checkItemFile(planned));
    expect(rewritten).toMatchObject({ code: 'FILE_CHANGED', item: 2, file: path });
    // Same size and time (a copy that kept them): the hash of its ends tells.
    const sameStat = item(path, {
      identity: { ...(await fileIdentity(path)), edges: planned.identity!.edges },
    });
    const edited = await failure(checkItemFile(sameStat));
    expect(edited).toBeInstanceOf(DistributedRunError);
    expect(edited).toMatchObject({ code: 'FILE_CHANGED', item: 2, file: path });
    expect((edited as Error).message).toMatch(/other contents.*item 2 of run r/);

    truncateSync(path, 100_000);
    expect(await failure(checkItemFile(planned))).toMatchObject({ code: 'FILE_CHANGED' });
    expect(((await failure(checkItemFile(planned))) as Error).message).toContain(
      'is 100000 bytes, planned with 200000',
    );
  });

  it('fails FILE_CHANGED when the middle is rewritten in place keeping the size and the modification time', async () => {
    const path = join(dir, 'b.bin');
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    writeFileSync(path, bytes);
    // Whole seconds, so the time set back below is the planned one to the nanosecond.
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const planned = item(path, { identity: await fileIdentity(path) });
    await expect(checkItemFile(planned)).resolves.toBeUndefined();
    // Past the first and before the last 64 KiB, as `dd conv=notrunc` then `touch -d` would.
    const fd = openSync(path, 'r+');
    writeSync(fd, new Uint8Array(50_000).fill(9), 0, 50_000, 120_000);
    closeSync(fd);
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const now = await fileIdentity(path);
    expect([now.size, now.mtimeNs, now.edges]).toEqual([
      planned.identity!.size,
      planned.identity!.mtimeNs,
      planned.identity!.edges,
    ]);
    const changed = await failure(checkItemFile(planned));
    expect(changed).toMatchObject({ code: 'FILE_CHANGED', item: 2, file: path });
    expect((changed as Error).message).toContain('was changed after planning');
  });

  it('fails FILE_CHANGED when another file with the same bytes and times is renamed over it', async () => {
    const path = join(dir, 'c.bin');
    const twin = join(dir, 'c.twin');
    const bytes = new Uint8Array(1_000).fill(3);
    writeFileSync(path, bytes);
    writeFileSync(twin, bytes);
    for (const p of [path, twin]) utimesSync(p, 1_700_000_000, 1_700_000_000);
    const planned = item(path, { identity: await fileIdentity(path) });
    renameSync(twin, path);
    expect(((await failure(checkItemFile(planned))) as Error).message).toContain('is another file (inode)');
  });

  it('does not check items planned without an identity (older coordinators)', async () => {
    await expect(checkItemFile(item(join(dir, 'missing.bin')))).resolves.toBeUndefined();
  });
});

describe('checkItemRead', () => {
  const pass: PassChunks = { losses: [], metrics: [] };
  it('fails FILE_CHANGED when fewer batches were read than planned', async () => {
    const planned = item('/x.arrows');
    expect(() => checkItemRead(planned, [pass, pass, pass])).not.toThrow();
    const short = await failure(() => checkItemRead(planned, [pass, pass]));
    expect(short).toMatchObject({ code: 'FILE_CHANGED', item: 2, file: '/x.arrows' });
    expect((short as Error).message).toContain('gave 2 of the 3 batches planned');
    const one = { ...planned, part: { first: 4, end: 5 } };
    expect(((await failure(() => checkItemRead(one, []))) as Error).message).toContain(
      'gave 0 of the 1 batch planned',
    );
  });
});
