/**
 * Compares two paths as people sort them: code unit by code unit, except that runs of digits
 * compare as numbers, so `epoch=2` sorts before `epoch=10` and `part-9` before `part-10`. A total,
 * stable order independent of the file system's listing order.
 */
export function naturalOrder(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = BigInt(x);
      const ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      // Same number, different zero padding: the shorter spelling first, for a total order.
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
