import { urlUserInfo } from './urlUserInfo.js';

/** Credentials written into server URLs, and the URLs without them. */
export interface UrlCredentials {
  /** The URLs with their user info removed (what is connected to and shown). */
  readonly servers: string[];
  /** `nats://TOKEN@host`: a token. */
  readonly token?: string;
  /** `nats://USER:PASS@host`: a user and password. */
  readonly user?: string;
  readonly pass?: string;
}

/**
 * Takes the credentials out of server URLs (`nats://TOKEN@host`, `nats://USER:PASS@host`), as
 * the NATS CLI and nats.go read them from `NATS_URL`: nats.js ignores a URL's user info, so a
 * token there was refused as no credentials at all. The first URL with user info gives them.
 *
 * @example
 * urlCredentials(['nats://s3cret@10.0.0.1:4222']); // { servers: ['nats://10.0.0.1:4222'], token: 's3cret' }
 */
export function urlCredentials(servers: readonly string[]): UrlCredentials {
  let found: { token?: string; user?: string; pass?: string } | undefined;
  const out = servers.map((server) => {
    const cut = urlUserInfo(server);
    if (cut === undefined) return server;
    const { info } = cut;
    const colon = info.indexOf(':');
    if (found === undefined && info !== '') {
      found =
        colon < 0
          ? { token: decode(info) }
          : { user: decode(info.slice(0, colon)), pass: decode(info.slice(colon + 1)) };
    }
    return `${cut.scheme}${cut.rest}`;
  });
  return { servers: out, ...found };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
