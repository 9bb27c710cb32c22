/**
 * One socket, many peers: hands each datagram to the receiver of the peer it
 * came from, by source port and address (the media-server shape: an SFU in
 * single-port mode demultiplexes by source address the same way).
 *
 * The lookup is a `Map` keyed by the source port (a number: no string is
 * built per datagram) holding the few receivers on that port, compared by
 * address (a string `dgram` has already made). Datagrams from any other
 * source are counted as foreign here and go no further.
 */
import type dgram from 'node:dgram';

/** What the demultiplexer hands datagrams to. */
export interface DemuxTarget {
  readonly onMessage: (msg: Buffer, rinfo: dgram.RemoteInfo) => void;
}

/** Routes a shared socket's datagrams to per-peer receivers. */
export class PeerDemux {
  /** Datagrams from a source that is none of the peers. */
  strangers = 0;
  private readonly byPort = new Map<number, { address: string; target: DemuxTarget }[]>();

  /** The `'message'` listener; bind it with `socket.on('message', d.onMessage)`. */
  readonly onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    const list = this.byPort.get(rinfo.port);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const e = list[i] as { address: string; target: DemuxTarget };
        if (e.address === rinfo.address) {
          e.target.onMessage(msg, rinfo);
          return;
        }
      }
    }
    this.strangers++;
  };

  /** Adds a peer; a second target for the same address and port is refused. */
  add(address: string, port: number, target: DemuxTarget): void {
    const list = this.byPort.get(port) ?? [];
    if (list.some((e) => e.address === address)) throw new RangeError(`peer ${address}:${port} added twice`);
    list.push({ address, target });
    this.byPort.set(port, list);
  }

  /** Number of peers. */
  get size(): number {
    let n = 0;
    for (const l of this.byPort.values()) n += l.length;
    return n;
  }
}
