// Found by the chaos sweep once groups were in the mix (seed 4 at 10%, kept in sweep-seed4-rate0.1-group-leave/):
// a collaborator who is an explicit member of the folder AND in a Dropbox group that has access leaves the track in
// PD. relinquish_folder_membership ends only the explicit membership; the group keeps the folder in their Dropbox,
// and Dropbox says nothing about it. PD showed "left" as if the files were gone from their Dropbox (the product page:
// "Once you leave, the files are removed from your Dropbox"), with no word that a group keeps them there.
// Fixed: after relinquishing, the executor asks with the leaver's own token (get_folder_metadata) and records that
// a group keeps access (shown on the collaborator: dropbox.group). Worker test: membership.test.ts, "5. groups".
// Run: node chaos/repro/leave-with-group-access.mjs   (exit 1 = reproduced)
import { startWorld, verdict, waitReconciled } from './env.mjs';

const OWNER = 'owner@repro.example';
const LEO = 'leo@repro.example';
const w = await startWorld(
  {
    accounts: [{ email: OWNER, display_name: 'Owner' }, { email: LEO, display_name: 'Leo' }],
    groups: [{ name: 'Band', members: [LEO] }],
    folders: [{ name: 'Song', owner: OWNER, path: '/Music/Song', members: [{ account: LEO, access_level: 'editor' }], groups: [{ group: 'Band', access_level: 'editor' }], files: [{ path: 'Mix v1.wav', size: 1000 }] }],
  },
  { signIn: [LEO, OWNER] },
);
let code = 2;
const lines = [];
try {
  const imp = await w.api(OWNER, 'POST', '/dropbox/import', {});
  const trackId = imp.body.imported[0].trackId;
  await waitReconciled(w, [OWNER, LEO]);
  const left = await w.api(LEO, 'POST', `/tracks/${trackId}/leave`);
  lines.push(`Leo leaves the track in PD → ${left.status}`);
  await w.settle(6);
  const state = await w.control('GET', '/state');
  const mounted = state.accounts.find((a) => a.email === LEO).mounts.some((m) => m.shared_folder_id === imp.body.imported[0].sharedFolderId);
  const leo = (await w.api(OWNER, 'GET', `/tracks/${trackId}`)).body.collaborators.find((c) => c.email === LEO);
  lines.push(`Dropbox: the folder is ${mounted ? 'still' : 'no longer'} in Leo's Dropbox (group "Band")`);
  lines.push(`PD: Leo is ${leo.status}, dropbox: ${JSON.stringify(leo.dropbox ?? null)}`);
  code = verdict('PD says Leo left while a Dropbox group keeps the folder in his Dropbox, without saying so', !mounted || !!leo.dropbox?.group, lines);
} finally {
  await w.stop();
}
process.exit(code);
