import { describe, expect, it, vi } from 'vitest';

// What main() did first, in order: pre-starting eval's workers, or loading the command's modules.
const events: string[] = [];

vi.mock('./commands/prestartEval.js', () => ({
  prestartEval: async () => {
    events.push('prestart');
  },
}));

vi.mock('./commands/evalCommand.js', () => {
  events.push('load eval');
  return { evalCommand: async () => 0 };
});

describe('main start-up order', () => {
  it("pre-starts eval's workers before it loads the command's modules", async () => {
    const { main } = await import('./main.js');
    const { memoryIo } = await import('./testing/memoryIo.js');
    expect(await main(['eval', 'log.arrows', '--loss', 'mse'], memoryIo())).toBe(0);
    // Loaded first, the command's heavy modules were evaluated before the pre-start chunk, and
    // the workers started after them (see main.ts).
    expect(events).toEqual(['prestart', 'load eval']);
  });
});
