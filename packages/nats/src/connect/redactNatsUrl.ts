import { urlUserInfo } from './urlUserInfo.js';

/**
 * The server list `servers` with the secrets of its URLs hidden, for messages and logs: a token
 * (`nats://TOKEN@host`) becomes `***`, a password (`nats://user:PASS@host`) becomes `user:***`.
 * Errors and progress lines are pasted into tickets and CI logs; credentials must not be. Each URL
 * (the list is split at commas and white space) is cut as `urlCredentials` cuts it, at its last
 * `@`, so a secret holding `@` or `/` is hidden whole.
 *
 * @example
 * redactNatsUrl('nats://s3cret@10.0.0.1:4222'); // 'nats://***@10.0.0.1:4222'
 */
export function redactNatsUrl(servers: string): string {
  return servers.replace(/[^\s,]+/g, (server) => {
    const cut = urlUserInfo(server);
    if (cut === undefined) return server;
    const colon = cut.info.indexOf(':');
    const hidden = colon < 0 ? '***' : `${cut.info.slice(0, colon)}:***`;
    return `${cut.scheme}${hidden}@${cut.rest}`;
  });
}
