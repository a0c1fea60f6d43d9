import { describe, expect, it } from 'vitest';
import { machineTag, processAlive } from './processTag.js';

describe('machineTag', () => {
  it('tells apart pods whose long names share their first 40 characters', () => {
    const a = machineTag('training-job-evaluator-deployment-7d9f8c6b5-aaaaa', 'pid:[1]');
    const b = machineTag('training-job-evaluator-deployment-7d9f8c6b5-bbbbb', 'pid:[1]');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9-]+$/);
  });

  it('tells apart containers that share a host name but not their process ids', () => {
    expect(machineTag('vm', 'pid:[4026531836]')).not.toBe(machineTag('vm', 'pid:[4026532201]'));
    expect(machineTag('vm', 'pid:[4026531836]')).toBe(machineTag('vm', 'pid:[4026531836]'));
  });

  it('is the same for every process of this machine and namespace', () => {
    expect(machineTag()).toBe(machineTag());
    expect(processAlive(process.pid)).toBe(true);
  });
});
