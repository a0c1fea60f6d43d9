/**
 * The numbers Arrow IPC metadata writes for its unions and enums (`Schema.fbs`, `Message.fbs`),
 * named once for every reader of the metadata.
 */

/** Tags of the flatbuffers `Type` union: what a schema field holds. */
export const TypeId = {
  NULL: 1,
  INT: 2,
  FLOAT: 3,
  BINARY: 4,
  UTF8: 5,
  BOOL: 6,
  DECIMAL: 7,
  DATE: 8,
  TIME: 9,
  TIMESTAMP: 10,
  INTERVAL: 11,
  LIST: 12,
  STRUCT: 13,
  UNION: 14,
  FIXED_SIZE_BINARY: 15,
  FIXED_SIZE_LIST: 16,
  MAP: 17,
  DURATION: 18,
  LARGE_BINARY: 19,
  LARGE_UTF8: 20,
  LARGE_LIST: 21,
  RUN_END_ENCODED: 22,
  BINARY_VIEW: 23,
  UTF8_VIEW: 24,
  LIST_VIEW: 25,
  LARGE_LIST_VIEW: 26,
} as const;

/** Tags of the flatbuffers `MessageHeader` union: what a message carries. */
export const HeaderType = {
  NONE: 0,
  SCHEMA: 1,
  DICTIONARY_BATCH: 2,
  RECORD_BATCH: 3,
  TENSOR: 4,
  SPARSE_TENSOR: 5,
} as const;

/** `MetadataVersion.V5`, what current writers record. */
export const METADATA_V5 = 4;

/**
 * A message header type as named in error messages: its `MessageHeader` name and number.
 *
 * @example
 * headerTypeName(3); // 'RecordBatch (3)'
 * headerTypeName(9); // '9 (unknown)'
 */
export function headerTypeName(headerType: number): string {
  const name = ['NONE', 'Schema', 'DictionaryBatch', 'RecordBatch', 'Tensor', 'SparseTensor'][headerType];
  return name === undefined ? `${headerType} (unknown)` : `${name} (${headerType})`;
}
