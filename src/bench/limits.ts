/**
 * The datagram size limits the command line validates `--size` against. The
 * wire format owns them; they are re-exported here so that the CLI depends on
 * bench only (cli → bench → udp) and never reaches into src/udp itself.
 */
export { HEADER_BYTES, maxPayload } from '../udp/wire.js';
export { FRAMED_HEADER_BYTES } from '../udp/wire.js';
export { MAX_FRAME_DATAGRAMS } from '../udp/pattern.js';
export { RTP_HEADER_BYTES } from '../udp/rtp.js';
