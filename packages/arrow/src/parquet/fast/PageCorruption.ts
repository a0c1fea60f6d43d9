/**
 * A column chunk that the fast path cannot decode because its bytes contradict themselves
 * (a page running past its chunk, a level run past its page, a dictionary index out of range):
 * the file is damaged. Carries what the reading thread turns into an `ArrowReadError` `CORRUPT`.
 */
export class PageCorruption extends Error {
  constructor(message: string) {
    super(`malformed Parquet page: ${message}`);
    this.name = 'PageCorruption';
  }
}
