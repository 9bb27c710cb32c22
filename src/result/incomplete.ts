/**
 * Why a result is partial: one closed list of reasons, and one table that
 * turns each into the words a person reads (as iperf3's one error table).
 * Producers set a reason from this list only; printers look its text up here.
 */

/** Every reason a run, search or sweep can end incomplete. */
export const INCOMPLETE_REASONS = [
  'interrupted',
  'sender-timeout',
  'worker-lost',
  'peer-timeout',
  'peer-interrupted',
  'peer-gave-up',
  'peer-aborted',
  'no-peer-results',
  'trial-incomplete',
  'ceiling-unobserved',
  'cell-failed',
  'cell-incomplete',
] as const;

export type IncompleteReason = (typeof INCOMPLETE_REASONS)[number];

/** The one table of texts: reason → what happened, in a few words. */
export const INCOMPLETE_TEXT: Readonly<Record<IncompleteReason, string>> = {
  interrupted: 'interrupted by a signal on this side',
  'sender-timeout': 'a sender did not finish in time',
  'worker-lost': 'a worker thread ended without its report',
  'peer-timeout': 'the peer fell silent (--peer-timeout)',
  'peer-interrupted': 'the peer was interrupted',
  'peer-gave-up': 'the peer stopped hearing this side and gave up',
  'peer-aborted': 'the peer stopped the test',
  'no-peer-results': "the peer's results did not arrive",
  'trial-incomplete': 'a trial did not run to its end',
  'ceiling-unobserved': 'the flood reported no sent rate',
  'cell-failed': 'a cell could not run',
  'cell-incomplete': "a cell's run ended early",
};

/** Type guard: a known reason. */
export function isIncompleteReason(v: unknown): v is IncompleteReason {
  return typeof v === 'string' && (INCOMPLETE_REASONS as readonly string[]).includes(v);
}

/**
 * Reasons written by earlier versions (free text), mapped onto the list, so
 * older result files stay readable; anything unknown is `null`.
 */
export function legacyIncompleteReason(v: string): IncompleteReason | null {
  if (isIncompleteReason(v)) return v;
  if (v === 'peer-peer-timeout') return 'peer-gave-up';
  if (v.startsWith('trial-incomplete')) return 'trial-incomplete';
  if (v.startsWith('ceiling-unobserved')) return 'ceiling-unobserved';
  return null;
}

/** The reason's code and its words (`peer-timeout — the peer fell silent …`), for verdicts. */
export function incompleteText(reason: IncompleteReason | null): string {
  return reason === null ? 'unknown reason' : `${reason} — ${INCOMPLETE_TEXT[reason]}`;
}
