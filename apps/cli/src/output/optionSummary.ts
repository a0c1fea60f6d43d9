/**
 * Options as one short human line: `weight=0.5,1,2 ignore-index=-100`; empty when none.
 *
 * @example
 * optionSummary({ labelSmoothing: 0.1 }); // 'label-smoothing=0.1'
 */
export function optionSummary(options: Readonly<Record<string, unknown>>): string {
  return Object.entries(options)
    .map(
      ([k, v]) =>
        `${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}=${Array.isArray(v) ? v.join(',') : String(v)}`,
    )
    .join(' ');
}
