// Found by the chaos run (seed 7, "take-237.wav … has 0 file_uploaded history entries"): the variant of
// upload-before-first-reconcile.mjs that the baseline fix did not cover. A walk skipped every file of a shared
// folder it saw mounted during that walk ("only newly visible"), so an upload that reached a member's tree
// together with the mount was left to the other trees. When their walks were late — here the owner's
// list_folder/continue keeps failing, so his walk sits in the queue's backoff; Jules, the uploader, never signed
// in to PD — the take was not in history (and with no other tree readable, never would be).
// Now one rule decides (worker/src/jobs/reconcile.ts, revisionStatements): a revision not in the folder when it
// became a track is an upload, whichever tree shows it first.
// Deterministic: Dropbox answers 503 to the owner's list_folder/continue until the verdict is taken.
// Run: node chaos/repro/upload-in-folder-mounted-same-walk.mjs   (exit 1 = reproduced)
import { startWorld, verdict, waitReconciled } from './env.mjs';

const OWNER = 'owner@repro.example';
const MEMBER = 'member@repro.example';
const JULES = 'jules@repro.example'; // in the folder in Dropbox, never signs in to PD
const w = await startWorld(
  {
    accounts: [{ email: OWNER, display_name: 'Owner' }, { email: MEMBER, display_name: 'Member' }, { email: JULES, display_name: 'Jules' }],
    folders: [{ name: 'Song', owner: OWNER, path: '/Music/Song', members: [{ account: JULES, access_level: 'editor' }], files: [{ path: 'Mix v1.wav', size: 1000 }] }],
  },
  { signIn: [OWNER, MEMBER] },
);
let code = 2;
try {
  await waitReconciled(w, [OWNER, MEMBER]);
  const imp = await w.api(OWNER, 'POST', '/dropbox/import', {});
  const track = imp.body.imported[0];
  await w.settle(3);
  // The owner's walks now fail (Dropbox 503 on his list_folder/continue): they wait in the queue's backoff.
  await w.control('POST', '/faults', { faults: [{ route: '2/files/list_folder/continue', kind: '503', account: OWNER }] });
  // He adds Member to the folder in Dropbox; Jules uploads a take right after. Member's next walk shows the
  // mount, the old mix and the take together.
  await w.control('POST', '/act', { as: OWNER, action: 'add_member', folder: 'Song', member: MEMBER, access_level: 'editor' });
  await w.control('POST', '/act', { as: MEMBER, action: 'accept_invite', folder: 'Song' }); // the invitation joins once accepted
  await w.control('POST', '/act', { as: JULES, action: 'upload_file', folder: 'Song', path: 'Vocals take 1.wav', size: 4242 });
  console.log(`owner's walks failing; member added and take uploaded at ${new Date().toISOString()}`);
  await w.settle(8);
  const hist = (await w.api(OWNER, 'GET', `/tracks/${track.trackId}/history?limit=500`)).body.entries;
  const uploads = hist.filter((h) => h.kind === 'file_uploaded');
  code = verdict('an upload that reached a member\'s tree with the mount is missing from history while the owner\'s walk is late', uploads.length === 1 && uploads[0].details.path === 'Vocals take 1.wav', [
    `file_uploaded entries: ${uploads.length ? uploads.map((h) => h.details.path).join(', ') : 'none'} (want exactly: Vocals take 1.wav)`,
  ]);
  // Dropbox recovers: the owner's walk shows the same revision; still exactly one entry.
  await w.control('DELETE', '/faults');
  await w.settle(8);
  const after = (await w.api(OWNER, 'GET', `/tracks/${track.trackId}/history?limit=500`)).body.entries.filter((h) => h.kind === 'file_uploaded');
  if (after.length !== 1) {
    console.log(`  after the owner's walk: ${after.length} file_uploaded entries (want 1)`);
    code = 1;
  }
} finally {
  await w.stop();
}
process.exit(code);
