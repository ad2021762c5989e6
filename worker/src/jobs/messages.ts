// The messages on the JOBS queue. One queue, several kinds of background work.

export interface ReconcileAccountJob {
  kind: 'reconcile-account';
  /** Dropbox account id (`dbid:…`) from a webhook notification, or from sign-in/cron. */
  dropboxAccountId: string;
  /** When the notification arrived (ms). A reconcile that started after this already covered it. */
  at: number;
  /** Carries on a walk or baseline listing that stopped at its invocation's budget (never "covered"). */
  continued?: boolean;
}

export interface ExecuteChangeJob {
  kind: 'execute-change';
  changeId: string;
}

export interface CheckTrackMembershipJob {
  kind: 'check-track-membership';
  trackId: string;
  /** Set by a walk past its inline budget: the PD account whose own tree lost the mount (left, if confirmed). */
  leftAccountId?: string;
  /** That account, whose token may vouch for itself when the owner cannot be asked. */
  memberAccountId?: string;
  /** Sent by a PD change that found Dropbox changed under it (the person gone, the folder unshared): one check for
   *  one track that PD is showing wrongly until it runs, so it is not deferred for a busy owner. */
  found?: true;
}

export type Job = ReconcileAccountJob | ExecuteChangeJob | CheckTrackMembershipJob;

/** Queues.sendBatch takes at most 100 messages per call; up to 6 calls are in flight (a Worker's open connections). */
export async function sendJobs(queue: Queue, jobs: Job[], delaySeconds?: number): Promise<void> {
  const batches: Job[][] = [];
  for (let i = 0; i < jobs.length; i += 100) batches.push(jobs.slice(i, i + 100));
  for (let i = 0; i < batches.length; i += 6) {
    await Promise.all(batches.slice(i, i + 6).map((b) => queue.sendBatch(b.map((body) => ({ body, contentType: 'json' as const, delaySeconds })))));
  }
}
