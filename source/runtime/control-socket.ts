/**
 * The control socket of a headless backfill (docs/console.md "Modes", Attach): a Unix socket at
 * `project_state/control.sock`, mode 0600 (owner only), speaking JSON lines. A client sends one
 * request per line and gets one reply per line, in order:
 *
 *   -> {"type":"command","command":{"type":"pause"}}      <- {"ok":true}
 *   -> {"type":"ping"}                                     <- {"ok":true,"pid":1234}
 *   -> not json                                            <- {"ok":false,"error":"malformed request: ..."}
 *
 * Every incoming line is validated with zod; a malformed one is answered and never takes the runner
 * down. A socket file left behind by a killed runner (connecting to it is refused) is removed before
 * listening; a live runner on the same path makes the second one refuse with a one-line error.
 *
 * Over 400 lines: the server and the client speak one line protocol (request and reply schemas,
 * framing, the stale-socket rule); keeping both ends beside their zod schemas is what keeps them
 * in step.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmodSync, lstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { ControlCommand } from '../contracts/events.js';
import { errorLine } from '../util/errors.js';

/** File name of the control socket inside the state folder. */
export const CONTROL_SOCKET_NAME = 'control.sock';
/** Longest Unix socket path Linux accepts, bytes (sun_path is 108 bytes with the NUL). */
export const SUN_PATH_MAX_BYTES = 107;
/** Longest request line the server reads, bytes; a longer one is answered with an error and the connection closed. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Default time a client waits for a reply, ms. */
export const CONTROL_TIMEOUT_MS = 5000;

/** A control socket problem meant for the operator as is (one line). */
export class ControlSocketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlSocketError';
  }
}

/** Absolute path of the control socket of a state folder (`<stateDir>/control.sock`). */
export function controlSocketPath(stateDir: string): string {
  return join(resolve(stateDir), CONTROL_SOCKET_NAME);
}

/**
 * Throws a {@link ControlSocketError} when `path` does not fit in a Unix socket address
 * (more than {@link SUN_PATH_MAX_BYTES} bytes, UTF-8).
 */
export function assertSocketPathFits(path: string): void {
  const n = Buffer.byteLength(path, 'utf8');
  if (n > SUN_PATH_MAX_BYTES) {
    throw new ControlSocketError(
      `control socket path is too long for a Unix socket (${n} bytes, at most ${SUN_PATH_MAX_BYTES}): ${path}; use a shorter GAPCTL_STATE_DIR`,
    );
  }
}

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

const commandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('rerun'), date: DATE, exhaustive: z.boolean().default(false) }),
  z.object({ type: z.literal('validate'), date: DATE }),
  z.object({
    type: z.literal('validate-range'),
    start: DATE,
    end: DATE,
    dates: z.array(DATE).max(100_000).optional(),
  }),
  z.object({ type: z.literal('export'), start: DATE, end: DATE }),
  z.object({ type: z.literal('ack'), alertId: z.number().int() }),
  z.object({ type: z.literal('quit') }),
  z.object({ type: z.literal('detach') }),
]);

/** zod schema of a {@link ControlCommand} (unknown keys are dropped). */
export const ControlCommandSchema: z.ZodType<ControlCommand, z.ZodTypeDef, unknown> = commandSchema;

/** Compile-time check: every ControlCommand type has a schema (a new command fails the typecheck here until added above). */
type MissingFromSchema = Exclude<ControlCommand['type'], z.output<typeof commandSchema>['type']>;
const _everyCommandHasASchema: [MissingFromSchema] extends [never] ? true : MissingFromSchema =
  true;
void _everyCommandHasASchema;

/** One request line: a command for the engine, or a ping (is a runner there, which pid). */
export type ControlRequest = { type: 'command'; command: ControlCommand } | { type: 'ping' };

/** zod schema of a {@link ControlRequest}. */
export const ControlRequestSchema: z.ZodType<ControlRequest, z.ZodTypeDef, unknown> = z.union([
  z.object({ type: z.literal('command'), command: ControlCommandSchema }),
  z.object({ type: z.literal('ping') }),
]);

/** One reply line. `pid` is the runner's process id (ping). */
export interface ControlReply {
  ok: boolean;
  error?: string;
  pid?: number;
}

const ReplySchema = z.object({
  ok: z.boolean(),
  error: z.string().optional(),
  pid: z.number().int().optional(),
});

/** What the server does with a valid command; throwing answers `{ok:false,error}`. */
export type ControlHandler = (command: ControlCommand) => ControlReply | Promise<ControlReply>;

/** A listening control socket. */
export interface ControlServer {
  /** Absolute socket path. */
  path: string;
  /** Stops listening, closes open connections and removes the socket file. Idempotent. */
  close(): Promise<void>;
}

/** What is at a socket path: a live listener, a stale file (connect refused) or nothing. */
export type SocketProbe = 'live' | 'stale' | 'absent';

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/**
 * Probes `path`: `live` when something accepts a connection, `stale` when the file exists but
 * connecting is refused (a killed runner's socket), `absent` when there is no file.
 * @throws ControlSocketError for anything else (permission denied, not a socket, path too long).
 */
export function probeControlSocket(
  path: string,
  timeoutMs = CONTROL_TIMEOUT_MS,
): Promise<SocketProbe> {
  return new Promise((res, rej) => {
    assertSocketPathFits(path); // thrown here, it rejects
    const sock = createConnection({ path });
    const timer = setTimeout(() => {
      sock.destroy();
      rej(
        new ControlSocketError(
          `control socket ${path} does not answer (timed out after ${timeoutMs} ms)`,
        ),
      );
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.end();
      res('live');
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      const code = errCode(e);
      if (code === 'ECONNREFUSED') res('stale');
      else if (code === 'ENOENT') res('absent');
      else if (code === 'EACCES' || code === 'EPERM')
        rej(
          new ControlSocketError(
            `control socket ${path}: permission denied (it belongs to another user; attach with --read-only)`,
          ),
        );
      else rej(new ControlSocketError(`control socket ${path}: ${errorLine(e)}`));
    });
  });
}

/** Runs `fn` with the process umask set to 0177 where the platform allows it (worker threads do not). */
function withOwnerOnlyUmask<T>(fn: () => T): T {
  let old: number | null;
  try {
    old = process.umask(0o177);
  } catch {
    old = null;
  }
  try {
    return fn();
  } finally {
    if (old !== null) process.umask(old);
  }
}

/**
 * Listens on `path` for control requests and hands valid commands to `handler`. The socket file is
 * created owner-only (umask 0177 around the bind, then chmod 0600, then checked). A stale socket
 * file is removed first, but only when connecting to it is refused.
 * @throws ControlSocketError when the path is too long, another runner is listening on it, the path
 *   is not a socket, or the mode cannot be made 0600.
 */
export async function listenControlSocket(
  path: string,
  handler: ControlHandler,
): Promise<ControlServer> {
  assertSocketPathFits(path);
  mkdirSync(dirname(path), { recursive: true });
  let isSocket: boolean | null = null;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (e) {
    if (errCode(e) !== 'ENOENT')
      throw new ControlSocketError(`control socket ${path}: ${errorLine(e)}`);
  }
  if (isSocket === false)
    throw new ControlSocketError(
      `${path} exists and is not a socket; move it away, nothing was changed`,
    );
  if (isSocket) {
    const probe = await probeControlSocket(path);
    if (probe === 'live')
      throw new ControlSocketError(
        `another headless runner is already listening on ${path} (attach with: gapctl console --attach)`,
      );
    if (probe === 'stale') {
      try {
        unlinkSync(path);
      } catch (e) {
        if (errCode(e) !== 'ENOENT')
          throw new ControlSocketError(
            `cannot remove the stale control socket ${path}: ${errorLine(e)}`,
          );
      }
    }
  }

  const connections = new Set<Socket>();
  const server: Server = createServer((sock) => serve(sock, handler, connections));
  server.on('error', () => {}); // after listening: never fatal (errors before are handled below)
  await new Promise<void>((res, rej) => {
    const onError = (e: Error) => {
      rej(
        errCode(e) === 'EADDRINUSE'
          ? new ControlSocketError(
              `another headless runner is already listening on ${path} (attach with: gapctl console --attach)`,
            )
          : new ControlSocketError(`cannot listen on the control socket ${path}: ${errorLine(e)}`),
      );
    };
    server.once('error', onError);
    withOwnerOnlyUmask(() =>
      server.listen(path, () => {
        server.off('error', onError);
        res();
      }),
    );
  });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const c of connections) c.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    try {
      unlinkSync(path);
    } catch {
      // libuv removes the socket file on close; nothing left to do.
    }
  };
  try {
    chmodSync(path, 0o600);
    const mode = statSync(path).mode & 0o777;
    if (mode !== 0o600) throw new Error(`its mode is ${mode.toString(8)}, expected 600`);
  } catch (e) {
    await close();
    throw new ControlSocketError(
      `control socket ${path} cannot be made owner-only: ${errorLine(e)}`,
    );
  }
  return { path, close };
}

/**
 * Serves one connection: splits the incoming bytes into lines and answers each in order. Bytes are
 * counted as they arrive: once the line being read exceeds {@link MAX_REQUEST_BYTES} (before or at
 * its newline), it is refused with one error reply, what was buffered of it is dropped, and the
 * connection is closed; nothing after it on that connection is read (no unbounded buffering).
 */
function serve(sock: Socket, handler: ControlHandler, connections: Set<Socket>): void {
  connections.add(sock);
  sock.on('error', () => {}); // a client that vanishes mid-reply is not the runner's problem
  sock.on('close', () => connections.delete(sock));
  // The line being read, in pieces, and its length in bytes so far.
  let parts: Buffer[] = [];
  let pending = 0;
  let refused = false;
  // Replies go out in request order: each line waits for the one before it.
  let chain: Promise<void> = Promise.resolve();
  const reply = (r: ControlReply) => {
    if (!sock.destroyed && sock.writable) sock.write(JSON.stringify(r) + '\n');
  };
  const refuse = (): void => {
    refused = true;
    parts = [];
    pending = 0;
    chain = chain.then(() => {
      reply({ ok: false, error: `malformed request: longer than ${MAX_REQUEST_BYTES} bytes` });
      sock.end();
    });
  };
  sock.on('data', (chunk: Buffer) => {
    if (refused) return; // the connection is closing: drop whatever still arrives
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) {
        pending += chunk.length - from;
        if (pending > MAX_REQUEST_BYTES) return refuse();
        if (from < chunk.length) parts.push(chunk.subarray(from));
        return;
      }
      if (pending + (nl - from) > MAX_REQUEST_BYTES) return refuse();
      parts.push(chunk.subarray(from, nl));
      const line = Buffer.concat(parts).toString('utf8').trim();
      parts = [];
      pending = 0;
      from = nl + 1;
      if (line !== '') chain = chain.then(async () => reply(await answer(line, handler)));
    }
  });
}

async function answer(line: string, handler: ControlHandler): Promise<ControlReply> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `malformed request: not JSON (${errorLine(e)})` };
  }
  const parsed = ControlRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: `malformed request: ${issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid'}`,
    };
  }
  const req = parsed.data;
  if (req.type === 'ping') return { ok: true, pid: process.pid };
  try {
    return await handler(req.command);
  } catch (e) {
    return { ok: false, error: errorLine(e) };
  }
}

/**
 * Sends one request and resolves with the reply.
 * @throws ControlSocketError when nothing listens on `path` (no runner, or a stale socket), on
 *   permission denied, on a timeout, or when the reply is not a valid reply line.
 */
export function sendControlRequest(
  path: string,
  request: ControlRequest,
  timeoutMs = CONTROL_TIMEOUT_MS,
): Promise<ControlReply> {
  return new Promise((res, rej) => {
    assertSocketPathFits(path); // thrown here, it rejects
    const sock = createConnection({ path });
    sock.setEncoding('utf8');
    let buf = '';
    let settled = false;
    const finish = (err: Error | null, reply?: ControlReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) rej(err);
      else res(reply!);
    };
    const timer = setTimeout(
      () =>
        finish(
          new ControlSocketError(`control socket ${path} did not answer within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    sock.once('connect', () => sock.write(JSON.stringify(request) + '\n'));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let parsed: z.SafeParseReturnType<unknown, ControlReply>;
      try {
        parsed = ReplySchema.safeParse(JSON.parse(buf.slice(0, nl)));
      } catch {
        return finish(
          new ControlSocketError(`control socket ${path} sent a reply that is not JSON`),
        );
      }
      if (!parsed.success)
        return finish(new ControlSocketError(`control socket ${path} sent a malformed reply`));
      finish(null, parsed.data);
    });
    sock.on('error', (e) => {
      const code = errCode(e);
      if (code === 'ENOENT' || code === 'ECONNREFUSED')
        finish(
          new ControlSocketError(
            `no headless runner is listening on ${path} (start one with: gapctl backfill --headless)`,
          ),
        );
      else if (code === 'EACCES' || code === 'EPERM')
        finish(
          new ControlSocketError(
            `control socket ${path}: permission denied (it belongs to another user; attach with --read-only)`,
          ),
        );
      else finish(new ControlSocketError(`control socket ${path}: ${errorLine(e)}`));
    });
    sock.on('close', () =>
      finish(
        new ControlSocketError(`control socket ${path} closed the connection without a reply`),
      ),
    );
  });
}

/** Sends one engine command; see {@link sendControlRequest}. */
export function sendControlCommand(
  path: string,
  command: ControlCommand,
  timeoutMs = CONTROL_TIMEOUT_MS,
): Promise<ControlReply> {
  return sendControlRequest(path, { type: 'command', command }, timeoutMs);
}
