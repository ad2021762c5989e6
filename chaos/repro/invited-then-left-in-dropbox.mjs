// Found by the chaos run: the owner invites someone in PD; PD adds them to the Dropbox folder (an existing Dropbox
// account becomes a member at once); they leave the folder in Dropbox before PD has read their tree. PD keeps the
// invitation pending although Dropbox no longer has them, so PD and Dropbox disagree; accepting the invitation
// afterwards gives PD access with no Dropbox access behind it.
// Deterministic here: the member's list_folder/continue fails until they have left (in the chaos run their
// reconciliation was simply late: 429s, consumer crashes).
// Run: node chaos/repro/invited-then-left-in-dropbox.mjs   (exit 1 = reproduced)
import { startWorld, verdict, waitReconciled } from './env.mjs';

const OWNER = 'owner@repro.example';
const MEMBER = 'member@repro.example';
const w = await startWorld(
  {
    accounts: [{ email: OWNER, display_name: 'Owner' }, { email: MEMBER, display_name: 'Member' }],
    folders: [{ name: 'Song', owner: OWNER, path: '/Music/Song', members: [], files: [{ path: 'Mix v1.wav', size: 1000 }] }],
  },
  { signIn: [MEMBER, OWNER] },
);
let code = 2;
const lines = [];
const status = async (trackId) => {
  const d = (await w.api(OWNER, 'GET', `/tracks/${trackId}`)).body;
  const c = d.collaborators.find((x) => x.email === MEMBER);
  const f = (await w.control('GET', '/state')).folders[0];
  const inDropbox = f.members.some((m) => m.email === MEMBER) ? 'member' : f.invitees.some((i) => i.email === MEMBER) ? 'invitee' : 'absent';
  return { pd: c ? `${c.status}` : 'absent', dropbox: inDropbox, changes: d.dropboxChanges.map((x) => `${x.kind}:${x.status}`) };
};
try {
  const imp = await w.api(OWNER, 'POST', '/dropbox/import', {});
  const trackId = imp.body.imported[0].trackId;
  await waitReconciled(w, [OWNER, MEMBER]);
  await w.settle(2);

  // The member's Dropbox tree cannot be read for now.
  await w.control('POST', '/faults', { route: '2/files/list_folder/continue', kind: '503', account: MEMBER });
  const inv = await w.api(OWNER, 'POST', `/tracks/${trackId}/invitations`, { email: MEMBER, accessLevel: 'editor' });
  lines.push(`owner invites in PD → ${inv.status}`);
  await w.until('PD to add the member in Dropbox', async () => (await status(trackId)).dropbox === 'member');
  lines.push(`after PD's add_member: ${JSON.stringify(await status(trackId))}`);
  await w.control('POST', '/act', { as: MEMBER, action: 'leave_folder', folder: 'Song' });
  lines.push(`member leaves the folder in Dropbox`);
  await w.control('DELETE', '/faults');
  await w.settle(8);
  const s1 = await status(trackId);
  lines.push(`settled: ${JSON.stringify(s1)}`);

  const invs = (await w.api(MEMBER, 'GET', '/invitations')).body.invitations;
  if (invs.length) {
    const acc = await w.api(MEMBER, 'POST', `/invitations/${invs[0].id}/accept`);
    lines.push(`member accepts the still-pending invitation in PD → ${acc.status}`);
    await w.settle(8);
    const s2 = await status(trackId);
    lines.push(`settled: ${JSON.stringify(s2)}`);
    const notes = (await w.api(MEMBER, 'GET', '/notifications')).body.notifications.map((n) => `${n.kind}(${n.via})`);
    lines.push(`member's notifications: ${notes.join(', ') || 'none'}`);
  }
  const agree = (s1.pd === 'invited' || s1.pd === 'active') === (s1.dropbox !== 'absent');
  code = verdict('a pending PD invitation outlives the Dropbox membership it created', agree, lines);
} finally {
  await w.stop();
}
process.exit(code);
