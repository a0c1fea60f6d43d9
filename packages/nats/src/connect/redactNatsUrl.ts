/**
 * The server list `servers` with the secrets of its URLs hidden, for messages and logs: a token
 * (`nats://TOKEN@host`) becomes `***`, a password (`nats://user:PASS@host`) becomes `user:***`.
 * Errors and progress lines are pasted into tickets and CI logs; credentials must not be.
 *
 * @example
 * redactNatsUrl('nats://s3cret@10.0.0.1:4222'); // 'nats://***@10.0.0.1:4222'
 */
export function redactNatsUrl(servers: string): string {
  return servers.replace(/\/\/([^/@\s,:]*)(:[^/@\s,]*)?@/g, (_all, user: string, pass: string | undefined) =>
    pass === undefined ? '//***@' : `//${user}:***@`,
  );
}
