/** Where a failure happened, as `lossflow eval` and the web page name it (batches counted per file). */
export interface FailurePlace {
  readonly file?: string | undefined;
  readonly rowGroup?: number | undefined;
  readonly batch?: number | undefined;
  readonly row?: number | undefined;
  readonly column?: string | undefined;
  /** The option a bad value was given for (named only when no column is). */
  readonly option?: string | undefined;
  /** For `SHAPE_CHANGED` / `DTYPE_CHANGED`: where the earlier shape (type) was first seen. */
  readonly earlier?:
    | { readonly code: string; readonly file?: string | undefined; readonly batch: number }
    | undefined;
}

/**
 * The one-line failure of an evaluation, worded as `lossflow eval` words it on stderr (after its
 * `lossflow eval: ` prefix) and the web page shows it:
 * `cannot read the data (file 'log.arrows', batch 1, row 3): <detail> [TRUNCATED]. <fixes…>`.
 * Places left undefined are left out; the fixes follow, one sentence each.
 *
 * @example
 * failureSentence('cannot compute cross-entropy', { file: 'a.arrows', batch: 2, row: 3 }, 'target 9 is out of range', 'TARGET_OUT_OF_RANGE', ['No result was written.']);
 */
export function failureSentence(
  what: string,
  place: FailurePlace,
  detail: string,
  code: string | undefined,
  fixes: readonly string[],
): string {
  const where = [
    place.file === undefined ? undefined : `file '${place.file}'`,
    place.rowGroup === undefined ? undefined : `row group ${place.rowGroup}`,
    place.batch === undefined ? undefined : `batch ${place.batch}`,
    place.row === undefined ? undefined : `row ${place.row}`,
    place.column !== undefined
      ? `column '${place.column}'`
      : place.option === undefined
        ? undefined
        : `option '${place.option}'`,
    place.earlier === undefined
      ? undefined
      : `the earlier ${place.earlier.code === 'DTYPE_CHANGED' ? 'type' : 'shape'} from ${place.earlier.file === undefined ? '' : `file '${place.earlier.file}', `}batch ${place.earlier.batch}`,
  ].filter((p) => p !== undefined);
  const at = where.length === 0 ? '' : ` (${where.join(', ')})`;
  return `${what}${at}: ${detail}${code === undefined ? '' : ` [${code}]`}.${fixes.map((f) => ` ${f}`).join('')}`;
}
