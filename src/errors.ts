/**
 * A small error hierarchy carrying context. The CLI is the one place that turns
 * these into messages and exit codes (see `src/cli/errors.ts`).
 */

/** The codes this tool gives its own errors: one closed list. */
export type OwnErrorCode =
  | 'EOPTION'
  | 'ERESULTFILE'
  | 'EWORKER'
  | 'ESAVE'
  | 'ETRACE'
  | 'EAUTH'
  | 'EBUSY'
  | 'EREFUSED'
  | 'EABORTED'
  | 'EINTERRUPTED'
  | 'ETIMEDOUT'
  | 'ENOLISTENER'
  | 'EUNKNOWN';

/**
 * A code the system or Node gave (errno names such as `EADDRINUSE`, Node's
 * `ERR_*`), passed through as it came: only the shape is known.
 */
export type SystemErrorCode = `E${string}`;

export type ErrorCode = OwnErrorCode | SystemErrorCode;

/** Base class of every error this tool raises on purpose. */
export class BenchError extends Error {
  constructor(
    message: string,
    /** A stable, machine-readable code. */
    readonly code: ErrorCode,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A user-supplied option is wrong. Exit code 2. */
export class OptionError extends BenchError {
  constructor(
    /** The option as the user spells it, e.g. `--size`. */
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`, 'EOPTION');
  }
}

/** A socket operation failed (bind, connect, setsockopt). */
export class SocketError extends BenchError {
  constructor(
    message: string,
    code: ErrorCode,
    /** The option responsible, when one is (e.g. `--port` for EADDRINUSE). */
    readonly option: string | null,
  ) {
    super(message, code);
  }
}

/** A worker thread failed. */
export class WorkerError extends BenchError {
  constructor(
    message: string,
    readonly role: string,
  ) {
    super(message, 'EWORKER');
  }
}

/** A result file is unreadable, not a result, or of a newer schema. Exit code 2. */
export class ResultFileError extends BenchError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`, 'ERESULTFILE');
  }
}
