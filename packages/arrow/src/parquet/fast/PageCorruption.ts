/**
 * A column chunk that the fast path cannot decode because its bytes contradict themselves
 * (a page running past its chunk, a level run past its page, a dictionary index out of range):
 * the file is damaged. Carries what the reading thread turns into an `ArrowReadError` `CORRUPT`.
 */
export class PageCorruption extends Error {
  /** What is wrong, without the message's `malformed Parquet page:` (to wrap it in context). */
  readonly detail: string;

  constructor(detail: string) {
    super(`malformed Parquet page: ${detail}`);
    this.detail = detail;
    this.name = 'PageCorruption';
  }
}
