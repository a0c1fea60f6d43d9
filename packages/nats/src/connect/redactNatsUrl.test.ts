import { describe, expect, it } from 'vitest';
import { redactNatsUrl } from './redactNatsUrl.js';
import { urlCredentials } from './urlCredentials.js';

describe('redactNatsUrl', () => {
  it('hides tokens and passwords of every URL, and leaves URLs without credentials alone', () => {
    expect(redactNatsUrl('nats://s3cret@10.0.0.1:4222')).toBe('nats://***@10.0.0.1:4222');
    expect(redactNatsUrl('tls://alice:pa55@a:4222,nats://tok@b:4222,nats://c:4222')).toBe(
      'tls://alice:***@a:4222,nats://***@b:4222,nats://c:4222',
    );
    expect(redactNatsUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });

  it('hides secrets holding @ or / whole, as urlCredentials reads them', () => {
    const cases: [string, string][] = [
      ['nats://alice:pa/ss@w0rd@h:4222', 'nats://alice:***@h:4222'],
      ['nats://u:p@ss@h:4222', 'nats://u:***@h:4222'],
      ['nats://to/ken/x@h:4222', 'nats://***@h:4222'],
      ['tls://a/b@c:4222, nats://bob:x/y@z@d:4222', 'tls://***@c:4222, nats://bob:***@d:4222'],
    ];
    for (const [url, shown] of cases) {
      const redacted = redactNatsUrl(url);
      expect(redacted).toBe(shown);
      const { token, pass } = urlCredentials(url.split(/,\s*/));
      for (const secret of [token, pass]) if (secret !== undefined) expect(redacted).not.toContain(secret);
    }
  });
});
