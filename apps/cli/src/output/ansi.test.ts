import { describe, expect, it } from 'vitest';
import { colorEnabled, styleFor } from './ansi.js';

describe('colour', () => {
  it('is on for a terminal unless NO_COLOR is set or TERM is dumb', () => {
    expect(colorEnabled(true, {})).toBe(true);
    expect(colorEnabled(false, {})).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled(true, { TERM: 'dumb' })).toBe(false);
  });

  it('styles only when enabled', () => {
    expect(styleFor(false).bold('x')).toBe('x');
    expect(styleFor(true).bold('x')).toBe('\u001b[1mx\u001b[22m');
  });
});
