import { describe, expect, it } from 'vitest';
import { LOSS_OPTION_FLAGS } from '../args/lossOptionFlags.js';
import { flagOfOption, flagWording } from './flagWording.js';

describe('flagWording', () => {
  it("names the CLI's flags for the libraries' option settings, option names and functions", () => {
    expect(
      flagWording(
        "Fill or drop the nulls when writing the log, or pass nulls: 'skip' to leave such rows out.",
      ),
    ).toBe('Fill or drop the nulls when writing the log, or pass --nulls skip to leave such rows out.');
    expect(
      flagWording('If your writer closes streams without the marker, pass allowMissingEndOfStream: true.'),
    ).toBe('If your writer closes streams without the marker, pass --allow-missing-end-of-stream.');
    expect(flagWording('Pass labelSmoothing as a number between 0 and 1 (default 0).')).toBe(
      'Give --label-smoothing a number between 0 and 1 (default 0).',
    );
    expect(flagWording('Class indices must lie in [0, 5) or equal ignoreIndex (-100).')).toBe(
      'Class indices must lie in [0, 5) or equal --ignore-index (-100).',
    );
    expect(flagWording("Pass probabilities in [0, 1], or logits with scores: 'logits' (the default).")).toBe(
      'Pass probabilities in [0, 1], or logits with --scores logits (the default).',
    );
    expect(
      flagWording(
        'Pass probabilities (e.g. after a sigmoid), or use binaryCrossEntropyWithLogits on raw logits.',
      ),
    ).toBe('Pass probabilities (e.g. after a sigmoid), or use --loss bce-with-logits on raw logits.');
    expect(flagWording('Pass `perRow: true` to the loss operator.')).toBe(
      'Pass --per-row to the loss operator.',
    );
  });

  it("speaks of the log's columns for the typed arrays a library caller passes, and keeps a flag named beside its option", () => {
    expect(flagWording('Pass a Float32Array or Float64Array (or plain numbers).')).toBe(
      'Give a float32 or float64 column (cast it where the log is written).',
    );
    expect(flagWording('Pass an Int32Array or BigInt64Array (or whole numbers).')).toBe(
      'Give an int32 or int64 column (cast it where the log is written).',
    );
    expect(flagWording('Pass lengths as an Int32Array, a BigInt64Array or whole numbers.')).toBe(
      'Give the lengths as an int32 or int64 column (cast it where the log is written).',
    );
    expect(
      flagWording(
        'The publisher is still running or was stopped before it closed the run: follow it (--follow / wait: true) to wait for the marker.',
      ),
    ).toBe(
      'The publisher is still running or was stopped before it closed the run: follow it (--follow) to wait for the marker.',
    );
  });

  it('names every loss option as its flag is parsed', () => {
    for (const f of LOSS_OPTION_FLAGS) expect(flagOfOption(f.key), f.key).toBe(`--${f.flag}`);
  });

  it('keeps words and settings that no flag sets', () => {
    const text = "Pass one weight per class; publishBatches sets wait: true, or pass foo: 'bar'.";
    expect(flagWording(text)).toBe(text);
    expect(flagOfOption('nBins')).toBe('--n-bins');
    expect(flagOfOption('publishBatches')).toBeUndefined();
  });
});
