/**
 * The examples printed at the end of each subcommand's `--help`: what a
 * person types first, iperf3 habits included.
 */
export const EXAMPLES: Record<'duplex' | 'listen' | 'sweep' | 'report' | 'micro', readonly string[]> = {
  duplex: [
    'bench duplex                                  # 5 s on loopback, 10k datagrams/s each way',
    'bench duplex -t 10 -l 1400 -b 100M            # iperf3 style: 10 s, 1400 B, 100 Mbit/s each way',
    'bench duplex --peer 198.18.0.2:5301 --find-max   # against `bench listen` on another machine',
    'bench duplex --pattern video -b 2.5M --stall 50  # video, 50 ms reader stalls',
  ],
  listen: [
    'bench listen                                  # 127.0.0.1:5301, up to 16 sessions at once',
    'bench listen --host 0.0.0.0 --secret S        # reachable from other machines, secret required',
    'bench listen --max-clients 4 --max-rate 100k  # 4 sessions at once, 100k/s per direction in all',
    'bench listen --max-rate 100k --max-duration 60 --once',
  ],
  sweep: [
    'bench sweep --rcvbuf 208k,1m,4m --size 64,1400 --rate 50k,100k',
    'bench sweep --rcvbuf 208k,4m --size 64 --find-max --out sweep.json',
    'bench sweep --pattern video --clients 1,20 --rcvbuf 64k,1m --stall 0,100',
  ],
  report: [
    'bench report results/duplex-single-64B.json   # the table again',
    'bench report a.json b.json --label before --label after --format md  # side by side, Markdown',
    'bench report run.json --chart run.svg           # the chart as SVG',
  ],
  micro: ['bench micro                                   # per-datagram hot paths, ns per operation', 'bench micro --time 2000 --json'],
};

/** The `--help` trailer for a command. */
export function examplesText(command: keyof typeof EXAMPLES): string {
  return `\nExamples:\n${EXAMPLES[command].map((e) => `  ${e}`).join('\n')}\n`;
}
