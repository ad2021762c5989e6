// Found by the chaos sweep (seed 5 at 50% faults, kept in sweep-seed5-rate0.5-invitee-kept/): Dropbox ended with
// an invitee PD did not have. The mechanism: a collaborator leaves two folders in Dropbox; their walk confirms each
// leave with the owner's member list, one folder after the other, and writes every decision in one batch at the
// end. While Dropbox is slow to list the second folder, the owner (who has not seen the leave yet) runs Revoke All
// for that person and invites them again. The leave decided for the first folder — read while they were still
// active — was then written onto the NEW invitation (status IN ('active','invited') matched it): PD cancelled it
// ("left") while its add_member still invited them in Dropbox.
// Deterministic here: the owner's list_folder_members answers after 3 s (twice), and the owner acts once the first
// answer is logged, while the second is in flight (in the sweep: 50% faults made the lists slow and retried).
// Fixed: decisions found in Dropbox apply only to the collaborator record as read (domain/sharing.ts, AsRead).
// Worker test: worker/test/dropbox/stale-member-sync.test.ts.
// Run: node chaos/repro/leave-seen-after-reinvite.mjs   (exit 1 = reproduced)
import { setTimeout as sleep } from 'node:timers/promises';
import { startWorld, verdict, waitReconciled } from './env.mjs';

const OWNER = 'owner1@repro.example';
const COLLAB = 'collab1@repro.example';
const w = await startWorld(
  {
    accounts: [{ email: OWNER, display_name: 'Owner 1' }, { email: COLLAB, display_name: 'Collab 1' }],
    folders: ['Song 1', 'Song 2'].map((name) => ({ name, owner: OWNER, path: `/Music/${name}`, members: [{ account: COLLAB, access_level: 'viewer' }], files: [{ path: 'Mix v1.wav', size: 1000 }] })),
  },
  { signIn: [COLLAB, OWNER] },
);
let code = 2;
const lines = [];
try {
  const imp = await w.api(OWNER, 'POST', '/dropbox/import', {});
  const tracks = imp.body.imported.map((t) => ({ trackId: t.trackId, sfid: t.sharedFolderId, title: t.title }));
  await waitReconciled(w, [OWNER, COLLAB]);
  await w.settle(2);
  const state = async () => {
    const f = (await w.control('GET', '/state')).folders;
    const out = [];
    for (const t of tracks) {
      const d = (await w.api(OWNER, 'GET', `/tracks/${t.trackId}`)).body;
      const c = d.collaborators.find((x) => x.email === COLLAB);
      const folder = f.find((x) => x.shared_folder_id === t.sfid);
      const dropbox = folder.members.some((m) => m.email === COLLAB) ? 'member' : folder.invitees.some((i) => i.email === COLLAB) ? 'invitee' : 'absent';
      out.push({ track: t.title, pd: c?.status ?? 'absent', dropbox });
    }
    return out;
  };
  lines.push(`after import: ${JSON.stringify(await state())}`);

  await w.control('DELETE', '/calls');
  for (const t of tracks) await w.control('POST', '/act', { as: COLLAB, action: 'leave_folder', shared_folder_id: t.sfid });
  await w.control('POST', '/faults', { route: '2/sharing/list_folder_members', kind: 'slow', delayMs: 3000, count: 2, account: OWNER });
  lines.push('collab1 leaves both folders in Dropbox; the owner\'s member lists answer after 3 s');
  await w.control('POST', '/webhooks/flush');
  const end = Date.now() + 30_000;
  while ((await w.control('GET', '/calls?route=2/sharing/list_folder_members')).calls.length < 1) {
    if (Date.now() > end) throw new Error('the walk never listed a folder');
    await sleep(50);
  }
  await sleep(300); // the first folder's leave is planned; the second list is still in flight
  const ra = await w.api(OWNER, 'POST', `/sharing/${encodeURIComponent(COLLAB)}/revoke-all`);
  lines.push(`owner: Revoke All collab1 → ${ra.status}`);
  for (const t of tracks) {
    const inv = await w.api(OWNER, 'POST', `/tracks/${t.trackId}/invitations`, { email: COLLAB, accessLevel: 'editor' });
    lines.push(`owner: invite collab1 again to ${t.title} → ${inv.status}`);
  }
  await w.control('DELETE', '/faults');
  await w.settle(10);
  const s = await state();
  lines.push(`settled: ${JSON.stringify(s)}`);
  const agree = s.every((x) => (x.pd === 'invited' || x.pd === 'active') === (x.dropbox !== 'absent'));
  code = verdict('a leave decided before Revoke All + re-invite cancels the new invitation while Dropbox keeps it', agree, lines);
} finally {
  await w.stop();
}
process.exit(code);
