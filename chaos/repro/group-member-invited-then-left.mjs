// Found by the 3,000-operation chaos run and the sweep (seed 10 at 10%, kept in sweep-seed10-rate0.1-group-invitee-kept/):
// someone who has the folder only through a Dropbox group is invited in PD (a Dropbox invitation), accepts in PD
// (mount_folder answers already_mounted: the group's mount is there, so nothing accepts the invitation), then leaves
// in PD: relinquish_folder_membership answers group_access. PD recorded the group but left its own invitation
// pending in Dropbox: Dropbox had an invitee PD did not. Fixed: on group_access the owner withdraws the invitation.
// Run: node chaos/repro/group-member-invited-then-left.mjs   (exit 1 = reproduced)
import { startWorld, verdict, waitReconciled } from './env.mjs';

const OWNER = 'owner@repro.example';
const LEO = 'leo@repro.example';
const w = await startWorld(
  {
    accounts: [{ email: OWNER, display_name: 'Owner' }, { email: LEO, display_name: 'Leo' }],
    groups: [{ name: 'Band', members: [LEO] }],
    folders: [{ name: 'Song', owner: OWNER, path: '/Music/Song', members: [], groups: [{ group: 'Band', access_level: 'editor' }], files: [{ path: 'Mix v1.wav', size: 1000 }] }],
  },
  { signIn: [LEO, OWNER] },
);
let code = 2;
const lines = [];
try {
  const imp = await w.api(OWNER, 'POST', '/dropbox/import', {});
  const { trackId, sharedFolderId } = imp.body.imported[0];
  await waitReconciled(w, [OWNER, LEO]);
  lines.push(`owner invites Leo in PD → ${(await w.api(OWNER, 'POST', `/tracks/${trackId}/invitations`, { email: LEO, accessLevel: 'editor' })).status}`);
  await w.settle(4);
  const inv = (await w.api(LEO, 'GET', '/invitations')).body.invitations[0];
  lines.push(`Leo accepts in PD → ${(await w.api(LEO, 'POST', `/invitations/${inv.id}/accept`)).status}`);
  await w.settle(4);
  lines.push(`Leo leaves in PD → ${(await w.api(LEO, 'POST', `/tracks/${trackId}/leave`)).status}`);
  await w.settle(6);
  const f = (await w.control('GET', '/state')).folders.find((x) => x.shared_folder_id === sharedFolderId);
  const leo = (await w.api(OWNER, 'GET', `/tracks/${trackId}`)).body.collaborators.find((c) => c.email === LEO);
  const invited = f.invitees.some((i) => i.email === LEO);
  lines.push(`PD: Leo is ${leo.status} (${JSON.stringify(leo.dropbox ?? null)}); Dropbox: ${invited ? 'still has his invitation' : 'no invitation'}`);
  code = verdict('a leave answered group_access leaves PD\'s Dropbox invitation pending', !invited || leo.status === 'invited' || leo.status === 'active', lines);
} finally {
  await w.stop();
}
process.exit(code);
