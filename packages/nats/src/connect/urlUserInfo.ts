/** A server URL cut around its user info: `scheme://` + `info` + `@` + `rest`. */
export interface UrlUserInfo {
  /** Up to and including `://`. */
  readonly scheme: string;
  /** Between `://` and the last `@` (a token, or `user:password`), still URL-encoded. */
  readonly info: string;
  /** After the last `@`: host, port and anything after them. */
  readonly rest: string;
}

/**
 * Cuts the user info out of one server URL, at the **last** `@` (a password may hold `@` or `/`).
 * The one parse behind both authenticating (`urlCredentials`) and hiding secrets
 * (`redactNatsUrl`): had they parsed differently, a secret that authenticates could be printed.
 *
 * @returns undefined when the URL has no user info
 * @example
 * urlUserInfo('nats://u:pa/ss@w0rd@h:4222'); // { scheme: 'nats://', info: 'u:pa/ss@w0rd', rest: 'h:4222' }
 */
export function urlUserInfo(server: string): UrlUserInfo | undefined {
  const at = server.lastIndexOf('@');
  const scheme = server.indexOf('://');
  if (at < 0 || scheme < 0 || at < scheme) return undefined;
  return {
    scheme: server.slice(0, scheme + 3),
    info: server.slice(scheme + 3, at),
    rest: server.slice(at + 1),
  };
}
