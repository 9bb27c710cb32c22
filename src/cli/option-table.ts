/**
 * Every command-line option of every command, declared once: flags (long
 * name, short flag, value placeholder), help and default. A command picks its
 * options by name ({@link addOptions}), so an option that `bench duplex`,
 * `bench sweep` and `bench listen` share has the same short flag, help and
 * default in each. Where an option means something else in one command (a
 * comma-separated list in a sweep, the listener's own address and port), the
 * difference is declared here too ({@link VARIANTS}), never at the command.
 *
 * Commander hands over raw strings: the validating parsers in options.ts run
 * in the commands' resolve functions, so a bad value is one line naming the
 * option and exit 2 in every command.
 */
import { Option, type Command } from 'commander';

/** One option as commander is told about it. */
export interface OptionSpec {
  /** Commander flags, e.g. `-t, --duration <s>`: the long name is the option's identity in every command. */
  readonly flags: string;
  readonly help: string;
  /** Applied by commander (raw text, validated like a given value) and shown by `--help`. */
  readonly default?: string;
  /**
   * Applied by the resolve functions instead of commander, where a given
   * option must be told from a default (the `--find-max` options are refused
   * without `--find-max`). `--help` shows it all the same.
   */
  readonly fallback?: string;
  /** Accepted but left out of `--help` (a tuning knob). */
  readonly hidden?: boolean;
  /** May be given more than once: the values are collected in order (default: none). */
  readonly repeatable?: boolean;
}

/** What a command may change about a shared option: never its name or short flag. */
export interface OptionVariant {
  /** The value placeholder, e.g. `<list>` for a comma-separated list. */
  readonly value?: string;
  readonly help?: string;
  readonly default?: string;
}

/** The commands that take options. */
export type CommandName = 'duplex' | 'sweep' | 'listen' | 'micro' | 'report';

/**
 * The options. Keys are commander's attribute names (`--rate-ab` → `rateAb`),
 * the names the commands read the values by.
 */
export const OPTIONS = {
  // Where the test runs.
  host: { flags: '--host <addr>', help: "address to bind (default 127.0.0.1; with --peer, the wildcard of the peer's family)" },
  port: { flags: '-p, --port <n>', help: 'A binds N and B binds N+1 (with --clients, the server binds N); default: free ports' },
  peer: { flags: '--peer <host:port>', help: 'run against `bench listen` on another machine ([::1]:5301 for IPv6)' },
  secret: { flags: '--secret <s>', help: 'shared secret for remote mode (or BENCH_SECRET); a listener given one refuses clients without it' },
  peerTimeout: { flags: '--peer-timeout <s>', help: 'remote mode: give up when the peer is silent this long', default: '3' },

  // What is sent.
  size: {
    flags: '-l, --size <bytes>',
    help: 'UDP payload bytes per datagram, header included (voice: each datagram, default 160; video: the largest, default 1200)',
    fallback: '200',
  },
  rate: { flags: '--rate <rate>', help: 'per direction, datagrams/s (50k, 200kpps) or bits/s with a unit (20Mbit), or max', default: '10k' },
  bitrate: {
    flags: '-b, --bitrate <bits>',
    help: 'per direction, bits/s of UDP payload as iperf3 means it (100M = 100 Mbit/s, 1G, 500K); instead of --rate; with --pattern video, the video bit rate (default 2.5M)',
  },
  rateAb: { flags: '--rate-ab <rate>', help: 'rate A→B (overrides --rate)' },
  rateBa: { flags: '--rate-ba <rate>', help: 'rate B→A (overrides --rate)' },
  duration: { flags: '-t, --duration <s>', help: 'measured seconds', default: '5' },

  // Real-time patterns (instead of the smooth --rate).
  pattern: {
    flags: '--pattern <kind>',
    help: 'what each direction sends: cbr (smooth --rate), voice (a datagram every --ptime), video (frames at --fps for -b bits/s, sent back to back, key frames), trace (--trace FILE)',
    default: 'cbr',
  },
  patternAb: { flags: '--pattern-ab <kind>', help: 'pattern A→B (client→server; overrides --pattern)' },
  patternBa: { flags: '--pattern-ba <kind>', help: 'pattern B→A (server→client; overrides --pattern)' },
  ptime: { flags: '--ptime <ms>', help: 'voice: milliseconds between datagrams (SDP ptime; -i stays the report interval)', fallback: '20' },
  fps: { flags: '--fps <n>', help: 'video: frames per second', fallback: '30' },
  keyframeInterval: { flags: '--keyframe-interval <s>', help: 'video: seconds between key frames', fallback: '2' },
  keyframeRatio: { flags: '--keyframe-ratio <x>', help: 'video: a key frame is this many times a delta frame', fallback: '5' },
  seed: { flags: '--seed <n>', help: 'video: seed of the frame-size spread (same seed, same frames)', fallback: '1' },
  trace: { flags: '--trace <file.csv>', help: 'trace: replay time_us,size[,frame] rows in a loop (one row per datagram)' },
  stall: {
    flags: '--stall <ms[@s]>',
    help: 'every receiver stops reading for MS ms every S s (default 1) of the measured phase: a GC pause, a descheduled thread',
  },
  // Media framing and quality.
  wire: { flags: '--wire <format>', help: 'how data datagrams are framed: udx (our header) or rtp (RFC 3550 RTP with our header in the payload; Wireshark reads it)', fallback: 'udx' },
  wireAb: { flags: '--wire-ab <format>', help: 'framing A→B (overrides --wire)' },
  wireBa: { flags: '--wire-ba <format>', help: 'framing B→A (overrides --wire)' },
  codec: { flags: '--codec <name>', help: 'voice directions are judged as this codec by the E-model: g711 (with PLC), g711-noplc or g729a', fallback: 'g711' },
  playout: { flags: '--playout <list>', help: 'jitter-buffer playout delays to report late discard at, ms, comma-separated', fallback: '20,40,60,80,100,150,200' },
  maxLate: { flags: '--max-late <percent>', help: 'the late-discard share the needed playout delay is sized for, %', fallback: '1' },
  omit: { flags: '--omit <s>', help: 'warm-up seconds before measuring (excluded from the figures)', default: '0' },

  // How the endpoints run.
  threads: {
    flags: '--threads <mode>',
    help: 'single (one event loop per endpoint), split (sender and receiver threads) or auto; in remote mode each side picks its own',
    default: 'auto',
  },
  rcvbuf: { flags: '--rcvbuf <size>', help: 'SO_RCVBUF to request (k/m suffixes: 4m)' },
  sndbuf: { flags: '--sndbuf <size>', help: 'SO_SNDBUF to request (k/m suffixes)' },
  clients: {
    flags: '--clients <n>',
    help: 'N clients on one server port: B (the server) binds --port, clients A1…AN free ports; with --peer, N sessions against the listener (clients bind --port, --port+1, … or free ports); rates are per client (--rate-ab client→server); 1 = the two-endpoint run',
    default: '1',
  },
  serverReceivers: {
    flags: '--server-receivers <k>',
    help: 'with --clients N and --threads split: K receiver threads on the server\'s one port, an SO_REUSEPORT group the kernel spreads clients over by address and port (Node 22.12+, Linux, IPv4); default: the cores the clients leave free, at least 1',
  },
  batch: { flags: '--batch <n>', help: 'datagrams sent per event-loop turn before yielding to receives', hidden: true },

  // The search (`--find-max`): no commander defaults, so that a given option can be refused without --find-max.
  findMax: { flags: '--find-max', help: 'search for the highest rate per direction whose loss stays within --loss-threshold' },
  lossThreshold: {
    flags: '--loss-threshold <percent>',
    help: 'with --find-max: highest loss % that still passes (0 = RFC 2544 throughput; 0.5 = partial-drop rate)',
    fallback: '0',
  },
  trialDuration: { flags: '--trial-duration <s>', help: 'with --find-max: measured seconds per trial', fallback: '2' },
  floor: { flags: '--floor <rate>', help: 'with --find-max: lowest rate searched, per direction', fallback: '1k' },
  ceiling: { flags: '--ceiling <rate>', help: 'with --find-max: highest rate searched (default: measured by a short unpaced flood)' },
  maxTrials: { flags: '--max-trials <n>', help: 'with --find-max: most trials, the flood not counted', fallback: '20' },

  // Output.
  json: { flags: '-J, --json', help: 'print the full result as JSON on stdout instead of the table' },
  jsonStream: { flags: '--json-stream', help: 'print one JSON object per line on stdout: each interval, then the result (NDJSON, as iperf3)' },
  interval: { flags: '-i, --interval <s>', help: 'whole seconds between interval lines on stderr; 0 turns them off', default: '1' },
  logfile: { flags: '--logfile <file>', help: 'send everything that would go to the terminal to this file instead' },
  save: {
    flags: '--no-save',
    help: 'do not save the result (default: results/runs/ in the checkout, else $XDG_DATA_HOME/udp-duplex-lab/runs or BENCH_RESULTS_DIR)',
  },
  out: { flags: '--out <file>', help: 'save the result to this file' },
  progress: { flags: '--no-progress', help: 'no progress lines on stderr (as -i 0)' },
  wide: { flags: '--wide', help: 'tables at full width even when piped (default: fit the terminal, 80 columns when piped)' },

  // `bench listen`.
  maxRate: { flags: '--max-rate <rate>', help: 'refuse a session above this rate in either direction: datagrams/s (1000, 50k) or payload bits/s (10Mbit), for every size and pattern' },
  maxTotalRate: { flags: '--max-total-rate <rate>', help: 'refuse a session that would push the sum over the running sessions above this, per direction (default: --max-rate)' },
  maxDuration: { flags: '--max-duration <s>', help: 'refuse tests longer than this (warm-up included)' },
  maxClients: { flags: '--max-clients <n>', help: 'most sessions at once (1 to 64); a client over it is answered busy; 1 = one at a time', default: '16' },
  once: { flags: '--once', help: 'exit after the first session ends (sessions already running finish first)' },

  // `bench micro`.
  time: { flags: '--time <ms>', help: 'time budget per benchmark, milliseconds', default: '500' },

  // `bench report`.
  format: { flags: '--format <fmt>', help: 'table, md, csv, json or html (one self-contained page)', default: 'table' },
  label: {
    flags: '--label <name>',
    help: 'name the next file in side-by-side columns and headings (repeatable, one per file in order; default: the file name)',
    repeatable: true,
  },
  chart: {
    flags: '--chart <file.svg>',
    help: 'also write a chart: rates over time for a run, loss against rate for a sweep or search (one file per input: -N suffix for several)',
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/**
 * The value commander hands over for an option, read off its declaration: a
 * repeatable option's list, a `--no-x` flag's boolean (true unless given), a
 * text value (absent unless it has a commander default), a flag's `true`
 * (absent unless given).
 */
type RawValue<S> = S extends { repeatable: true }
  ? string[]
  : S extends { flags: `${string}--no-${string}` }
    ? boolean
    : S extends { flags: `${string}<${string}>` }
      ? S extends { default: string }
        ? string
        : string | undefined
      : boolean | undefined;

type MaybeAbsent<N extends OptionName> = { [K in N]: undefined extends RawValue<(typeof OPTIONS)[K]> ? K : never }[N];

/**
 * The raw options of a command that takes the options `N`, as commander hands
 * them over: derived from the table, so that no command writes them again.
 * `D`: options a command variant gives a default to (the listener's host and
 * port), present as text.
 */
export type RawOptions<N extends OptionName, D extends OptionName = never> = {
  -readonly [K in Exclude<N, Exclude<MaybeAbsent<N>, D>>]: NonNullable<RawValue<(typeof OPTIONS)[K]>>;
} & {
  -readonly [K in Exclude<MaybeAbsent<N>, D>]?: NonNullable<RawValue<(typeof OPTIONS)[K]>>;
};

/**
 * Where an option means something else in one command. A sweep takes lists
 * of what a run takes one value of; the listener binds its own well-known
 * address and port and serves many sessions.
 */
export const VARIANTS: { readonly [C in CommandName]?: { readonly [N in OptionName]?: OptionVariant } } = {
  sweep: {
    rcvbuf: { value: '<list>', help: 'SO_RCVBUF sizes to request, comma-separated; "default" keeps the OS default (e.g. 208k,1m,4m)' },
    sndbuf: { value: '<list>', help: 'SO_SNDBUF sizes to request, comma-separated; "default" keeps the OS default' },
    size: { value: '<list>', help: 'UDP payload bytes per datagram, header included, comma-separated (e.g. 64,512,1400)' },
    rate: { value: '<list>', help: 'per-direction rates, comma-separated: datagrams/s (50k), bits/s (20Mbit) or max' },
    threads: { value: '<list>', help: 'thread layouts, comma-separated: single, split, auto' },
    clients: { value: '<list>', help: 'clients on one server port, comma-separated (e.g. 1,4,16); rates are per client' },
    stall: { value: '<list>', help: 'receiver stalls, comma-separated MS[@S] (0 = none), e.g. 0,20,100' },
    // A sweep prints a line per cell, not per interval.
    jsonStream: { help: 'print the result as one JSON line on stdout ({"event":"end","data":…}, as iperf3 ends its stream)' },
    interval: { help: 'a sweep prints a line per cell, not per interval: 0 turns those lines off, other values change nothing' },
  },
  listen: {
    host: { help: 'address to listen on (0.0.0.0 or :: for all interfaces)', default: '127.0.0.1' },
    port: { help: 'UDP port for control and data', default: '5301' },
    out: { help: 'save the (last) session result to this file' },
    progress: { help: 'no per-second lines on stderr' },
  },
  report: {
    out: { help: 'write the report to this file instead of stdout' },
  },
};

/** The `--find-max` options, in `--help` order (`bench duplex` and `bench sweep`). */
export const FIND_MAX_OPTIONS = ['findMax', 'lossThreshold', 'trialDuration', 'floor', 'ceiling', 'maxTrials'] as const satisfies readonly OptionName[];

/** The real-time pattern options (`bench duplex` and `bench sweep`). */
export const PATTERN_OPTIONS = ['pattern', 'patternAb', 'patternBa', 'ptime', 'fps', 'keyframeInterval', 'keyframeRatio', 'seed', 'trace', 'stall'] as const satisfies readonly OptionName[];

/** The media framing and quality options (`bench duplex`). */
export const MEDIA_OPTIONS = ['wire', 'wireAb', 'wireBa', 'codec', 'playout', 'maxLate'] as const satisfies readonly OptionName[];

/** The output options of the commands that run tests and save a result (`bench duplex` and `bench sweep`). */
export const OUTPUT_OPTIONS = ['json', 'jsonStream', 'interval', 'logfile', 'save', 'out', 'progress', 'wide'] as const satisfies readonly OptionName[];

/** An option as `command` declares it: the shared spec with the command's variant applied. */
export function optionSpec(command: CommandName, name: OptionName): OptionSpec {
  const base: OptionSpec = OPTIONS[name];
  const variant = VARIANTS[command]?.[name];
  if (variant === undefined) return base;
  return {
    ...base,
    flags: variant.value === undefined ? base.flags : base.flags.replace(/<[^>]*>$/, variant.value),
    ...(variant.help === undefined ? {} : { help: variant.help }),
    ...(variant.default === undefined ? {} : { default: variant.default }),
  };
}

/** The commander option for a spec. */
function commanderOption(spec: OptionSpec): Option {
  const help = spec.fallback === undefined ? spec.help : `${spec.help} (default: ${spec.fallback})`;
  const option = new Option(spec.flags, help);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.hidden === true) option.hideHelp();
  if (spec.repeatable === true) option.argParser((value: string, previous: string[]) => [...previous, value]).default([] as string[]);
  return option;
}

/** Adds the named options to a command, in the order given. */
export function addOptions(cmd: Command, command: CommandName, names: readonly OptionName[]): Command {
  for (const name of names) cmd.addOption(commanderOption(optionSpec(command, name)));
  return cmd;
}

/** The long flag of an option, e.g. `--rate-ab` (for messages naming it). */
export function longFlag(name: OptionName): string {
  return new Option(OPTIONS[name].flags).long ?? name;
}

/** The long flag of the first of `names` given on the command line (not merely defaulted), or `null`. */
export function firstGiven(cmd: Command, names: readonly OptionName[]): string | null {
  for (const name of names) {
    const source = cmd.getOptionValueSource(name);
    if (source !== undefined && source !== 'default') return longFlag(name);
  }
  return null;
}
