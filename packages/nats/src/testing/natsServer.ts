import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Require this token from every client (`authorization { token }`). */
  readonly token?: string;
  /** Largest message the server accepts; Arrow batches need more than the 1 MB default. */
  readonly maxPayload?: string;
}

/** A nats-server with JetStream started by a test, on 127.0.0.1 only. */
export interface NatsServer {
  /** `nats://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The JetStream store (file storage), kept across {@link NatsServer.restart}. */
  readonly storeDir: string;
  /** The server process's PID (for tests that kill it). */
  pid(): number;
  /** Stops the server (SIGTERM, then SIGKILL) and starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Stops the server by PID and removes its store. */
  stop(): Promise<void>;
  /**
   * Throws, with the server's last output, if it ever exited (since it was started, restarts
   * included) without {@link NatsServer.restart} or {@link NatsServer.stop} asking it to: a
   * test's `afterEach` calls it so that a server that crashed says so, instead of every later
   * test failing to connect.
   */
  assertRunning(): void;
}

function natsServerBinary(): string {
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server']) if (existsSync(p)) return p;
  return 'nats-server';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(httpPort: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`nats-server exited with code ${child.exitCode}:\n${log()}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${httpPort}/healthz?js-enabled-only=true`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nats-server did not become healthy:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts Debian's nats-server (see `scripts/ensure-nats.sh`) with JetStream on a free port of
 * 127.0.0.1, from a config file (there is no flag for `max_payload`), and waits for
 * `/healthz?js-enabled-only=true`. Each test file starts its own and stops it in `afterAll`.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = await mkdtemp(join(tmpdir(), 'lossflow-nats-'));
  const storeDir = join(dir, 'jetstream');
  const port = await freePort();
  const httpPort = await freePort();
  const lines = [
    'host: 127.0.0.1',
    `port: ${port}`,
    `http: "127.0.0.1:${httpPort}"`,
    `max_payload: ${options.maxPayload ?? '8MB'}`,
    `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
  ];
  if (options.token !== undefined) {
    lines.push(`authorization { token: ${JSON.stringify(options.token)} }`);
  }
  const configFile = join(dir, 'nats.conf');
  await writeFile(configFile, `${lines.join('\n')}\n`);

  let child: ChildProcess;
  let output = '';
  let stopping = false;
  // The first unexpected exit since the server started, with its output: kept across restarts.
  let crash: string | undefined;
  // The last 64 KiB is enough for a Go panic's trace; a server that logs for hours stays bounded.
  const append = (d: Buffer): void => {
    output = (output + d.toString()).slice(-65_536);
  };
  const launch = async (): Promise<void> => {
    output = '';
    stopping = false;
    const started = spawn(natsServerBinary(), ['-c', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout?.on('data', append);
    started.stderr?.on('data', append);
    // 'close', not 'exit': only then has all of its output (a panic's trace) been read.
    started.once('close', (code, signal) => {
      if (stopping || child !== started) return;
      crash ??= `nats-server at ${port} exited unexpectedly (code ${code}, signal ${signal}):\n${output}`;
      // Said at once too: every test after this one fails to connect, and only this says why.
      console.error(crash);
    });
    await waitHealthy(httpPort, started, () => output);
  };
  const stopServer = async (): Promise<void> => {
    stopping = true;
    await stopChild(child);
  };
  await launch();

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    pid: () => child.pid ?? -1,
    restart: async () => {
      await stopServer();
      await launch();
    },
    stop: async () => {
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    },
    assertRunning: () => {
      if (crash !== undefined) throw new Error(crash);
    },
  };
}
