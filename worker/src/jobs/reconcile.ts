// placeholder replaced by the reconciliation (in progress)
export async function reconcileAccount(_env: Env, _dbid: string, _at: number): Promise<{ result: 'done' | 'busy' | 'retry'; delaySeconds?: number; error?: string }> {
  throw new Error('reconcile: not built yet');
}
export async function checkTrackMembership(_env: Env, _trackId: string): Promise<{ result: 'done' | 'retry'; delaySeconds?: number; error?: string }> {
  throw new Error('check: not built yet');
}
