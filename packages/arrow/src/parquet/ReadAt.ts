/** Fills `target` from the file at `position`; returns the bytes read (fewer at the end of the file). */
export type ReadAt = (target: Uint8Array, position: number) => number;
