/** How the command line, the outputs and errors name standard input. */
export const STDIN = '-';

/** The path standard input is opened as. */
export const STDIN_PATH = '/dev/stdin';
