/**
 * Creating, binding and configuring the endpoint's UDP sockets. Failures
 * become {@link SocketError}s naming the responsible option.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { SocketError, type ErrorCode } from '../errors.js';

/** Options for one socket of an endpoint. */
export interface SocketSpec {
  family: 4 | 6;
  address: string;
  /** 0 for any free port. */
  port: number;
  /** Needed when two sockets (split mode) share the port. */
  reuseAddr: boolean;
  /**
   * Joins the port's SO_REUSEPORT group (Node ≥ 22.12, see
   * {@link reusePortSupport}): the kernel spreads incoming datagrams over the
   * group's sockets by a hash of their 4-tuple, so one client's datagrams all
   * reach the same socket while the group does not change.
   */
  reusePort?: boolean;
  rcvbufBytes: number | null;
  sndbufBytes: number | null;
}

/** A bound socket and what the kernel made of the requested options. */
export interface BoundSocket {
  socket: dgram.Socket;
  address: string;
  port: number;
  rcvbufEffective: number;
  sndbufEffective: number;
}

/**
 * `dgram` resolves even IP literals through `dns.lookup` on every unconnected
 * send (deferred with `process.nextTick`); answering literals synchronously
 * skips that. Hostnames are resolved once, at the CLI boundary.
 */
let lastLiteral = '';
let lastFamily = 0;

function literalLookup(
  address: string,
  family: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  // Called once per unconnected send: remember the last answer (isIP is a regex).
  if (address === lastLiteral) {
    callback(null, address, lastFamily);
    return;
  }
  const f = isIP(address);
  if (f !== 0) {
    lastLiteral = address;
    lastFamily = f;
  }
  if (f === 0) {
    const err: NodeJS.ErrnoException = new Error(`not an IP literal: ${address}`);
    err.code = 'ENOTFOUND';
    callback(err, address, 0);
    return;
  }
  callback(null, address, f);
  void family;
}

/** The system's code of a failure (`EADDRINUSE`, …); `EUNKNOWN` when it gave none, or none of that shape. */
function codeOf(err: unknown): ErrorCode {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code !== undefined && code.startsWith('E') ? (code as ErrorCode) : 'EUNKNOWN';
}

/**
 * Whether this Node can put sockets in an SO_REUSEPORT group: the dgram
 * option `reusePort` exists from Node 22.12 (and 23.1); older lines ignore
 * the option silently, so asking it there would bind sockets that never
 * receive. Linux only (the option is what the kernel calls SO_REUSEPORT).
 */
export function reusePortSupport(version: string = process.versions.node, platform: NodeJS.Platform = process.platform): { ok: true } | { ok: false; reason: string } {
  const [major = 0, minor = 0] = version.split('.').map((x) => Number.parseInt(x, 10));
  if (platform !== 'linux') return { ok: false, reason: `SO_REUSEPORT groups are used on Linux only (this is ${platform})` };
  if (major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12)) return { ok: true };
  return { ok: false, reason: `needs Node 22.12 or newer for dgram's reusePort (this is Node ${version})` };
}

/** Creates and binds a socket. Rejects with a {@link SocketError}. */
export function bindSocket(spec: SocketSpec): Promise<BoundSocket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({
      type: spec.family === 6 ? 'udp6' : 'udp4',
      reuseAddr: spec.reuseAddr,
      // Not in Node 20's typings; Node 20 would ignore it, which is why callers ask reusePortSupport() first.
      ...(spec.reusePort === true ? ({ reusePort: true } as object) : {}),
      // Only IPv6 sockets take ipv6Only; keep v6 sockets v6-only so ::1 means ::1.
      ...(spec.family === 6 ? { ipv6Only: true } : {}),
      lookup: literalLookup as unknown as dgram.SocketOptions['lookup'],
    });
    const onError = (err: Error): void => {
      socket.close();
      const code = codeOf(err);
      if (code === 'EADDRINUSE') reject(new SocketError(`port ${spec.port} on ${spec.address} is already in use`, code, '--port'));
      else if (code === 'EADDRNOTAVAIL') reject(new SocketError(`address ${spec.address} is not available on this machine`, code, '--host'));
      else if (code === 'EACCES') reject(new SocketError(`not allowed to bind ${spec.address}:${spec.port}`, code, '--port'));
      else reject(new SocketError(`cannot bind ${spec.address}:${spec.port}: ${err.message}`, code, null));
    };
    socket.once('error', onError);
    socket.bind({ address: spec.address, port: spec.port, exclusive: true }, () => {
      socket.off('error', onError);
      try {
        if (spec.rcvbufBytes !== null) socket.setRecvBufferSize(spec.rcvbufBytes);
        if (spec.sndbufBytes !== null) socket.setSendBufferSize(spec.sndbufBytes);
      } catch (err) {
        socket.close();
        reject(new SocketError(`cannot set socket buffer size: ${(err as Error).message}`, codeOf(err), spec.rcvbufBytes !== null ? '--rcvbuf' : '--sndbuf'));
        return;
      }
      const a = socket.address();
      resolve({
        socket,
        address: a.address,
        port: a.port,
        rcvbufEffective: socket.getRecvBufferSize(),
        sndbufEffective: socket.getSendBufferSize(),
      });
    });
  });
}

/** Connects a socket to its peer (the kernel then delivers only that peer's datagrams to it). */
export function connectSocket(socket: dgram.Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.connect(port, address, () => {
      socket.off('error', onError);
      resolve();
    });
    const onError = (err: Error): void => reject(new SocketError(`cannot connect to ${address}:${port}: ${err.message}`, codeOf(err), '--peer'));
    socket.once('error', onError);
  });
}

/** Closes a socket, ignoring "already closed". */
export function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
