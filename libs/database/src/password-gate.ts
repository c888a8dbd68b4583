import { createHash, timingSafeEqual } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Postgres wire protocol codes the gate needs (protocol 3.0). */
const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const MAX_STARTUP_BYTES = 10_000;
const MAX_PASSWORD_BYTES = 1024;
/** A client that has not authenticated by then is dropped: half-open logins must not pile up. */
const AUTH_TIMEOUT_MS = 10_000;

const digest = (value: Buffer | string): Buffer => createHash('sha256').update(value).digest();

/** An ErrorResponse, FATAL, as Postgres sends it before closing. */
function fatal(code: string, message: string): Buffer {
  const fields = Buffer.concat(
    [
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', code],
      ['M', message],
    ].map(([type, text]) => Buffer.from(`${type}${text}\0`, 'utf8')),
  );
  const body = Buffer.concat([fields, Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** AuthenticationCleartextPassword. */
const ASK_PASSWORD = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]);

/**
 * PGlite accepts any password, so the embedded database's loopback port would let any local
 * process (another user's included) read and write it. The gate listens on that port instead,
 * asks for the password (cleartext: it never leaves loopback), and only then replays the
 * client's startup message to PGlite's socket server, which listens on a Unix socket in a
 * private 0700 directory, and pipes the two together.
 */
export class PasswordGate {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly expected: Buffer;

  constructor(
    password: string,
    private readonly upstreamPath: string,
  ) {
    this.expected = digest(password);
  }

  async listen(host: string): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('The password gate has no address');
    return address.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private accept(client: Socket): void {
    this.track(client);
    // Request/response traffic: Nagle's algorithm would hold each small reply for an ACK.
    client.setNoDelay(true);
    client.setTimeout(AUTH_TIMEOUT_MS, () => client.destroy());
    let buffer = Buffer.alloc(0);
    let startup: Buffer | undefined;
    const refuse = (code: string, message: string): void => {
      client.off('data', onData);
      client.end(fatal(code, message));
    };
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!startup) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (length < 8 || length > MAX_STARTUP_BYTES) return refuse('08P01', 'invalid startup packet');
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          const message = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            client.write('N');
            continue;
          }
          if (code === CANCEL_REQUEST) return void client.destroy();
          if (code !== PROTOCOL_3) return refuse('0A000', 'unsupported frontend protocol');
          startup = message;
          client.write(ASK_PASSWORD);
          continue;
        }
        if (buffer.length < 5) return;
        if (buffer[0] !== 0x70) return refuse('08P01', 'expected a password message');
        const length = buffer.readInt32BE(1);
        if (length < 5 || length > MAX_PASSWORD_BYTES + 5) return refuse('28P01', 'password authentication failed');
        if (buffer.length < length + 1) return;
        const password = buffer.subarray(5, length); // without the terminating NUL
        const rest = buffer.subarray(length + 1);
        if (!timingSafeEqual(digest(password), this.expected)) {
          return refuse('28P01', 'password authentication failed');
        }
        client.off('data', onData);
        return this.pipe(client, startup, rest);
      }
    };
    client.on('data', onData);
  }

  private pipe(client: Socket, startup: Buffer, rest: Buffer): void {
    client.setTimeout(0);
    client.pause();
    const upstream = connect(this.upstreamPath);
    this.track(upstream);
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.write(startup);
    if (rest.length > 0) upstream.write(rest);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }
}
