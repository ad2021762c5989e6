// Found by the chaos run: a file uploaded into a track's folder after the owner imported it, but before the first
// reconciliation of the people's Dropbox trees has run (it is queued; Dropbox was slow or failing), never gets a
// file_uploaded history entry. The first reconciliation takes its baseline cursor *after* the upload, so the
// upload is part of the baseline and never seen as a change.
// Deterministic here: Dropbox answers 503 to files/list_folder until the upload is done (in the chaos run the
// first reconciliations were simply delayed by 429s/500s and consumer crashes).
// Run: node chaos/repro/upload-before-first-reconcile.mjs   (exit 1 = reproduced)
import { startWorld, verdict, waitReconciled } from './env.mjs';

const OWNER = 'owner@repro.example';
const MEMBER = 'member@repro.example';
const w = await startWorld(
  {
    accounts: [{ email: OWNER, display_name: 'Owner' }, { email: MEMBER, display_name: 'Member' }],
    folders: [{ name: 'Song', owner: OWNER, path: '/Music/Song', members: [{ account: MEMBER, access_level: 'editor' }], files: [{ path: 'Mix v1.wav', size: 1000 }] }],
  },
  { signIn: [] },
);
let code = 2;
try {
  // Dropbox is failing file listings for a while (sign-in and import do not need them).
  await w.control('POST', '/faults', { faults: [{ route: '2/files/list_folder', kind: '503' }, { route: '2/files/list_folder/get_latest_cursor', kind: '503' }] });
  for (const e of [MEMBER, OWNER]) {
    const { demoSignIn } = await import('../../scripts/local.mjs');
    w.sessions[e] = (await demoSignIn(w.workerUrl, w.emulatorUrl, e)).session;
  }
  const imp = await w.api(OWNER, 'POST', '/dropbox/import', {});
  const track = imp.body.imported[0];
  console.log(`imported ${track.title} (${track.trackId}) at ${new Date().toISOString()}`);

  // After the import, the member uploads a take into the shared folder.
  await w.control('POST', '/act', { as: MEMBER, action: 'upload_file', folder: 'Song', path: 'Vocals take 1.wav', size: 4242 });
  console.log(`uploaded "Vocals take 1.wav" at ${new Date().toISOString()}`);

  // Dropbox recovers; the queued reconciliations run.
  await w.control('DELETE', '/faults');
  await waitReconciled(w, [OWNER, MEMBER]);
  await w.settle(6);

  const hist = (await w.api(OWNER, 'GET', `/tracks/${track.trackId}/history?limit=500`)).body.entries;
  const uploads = hist.filter((h) => h.kind === 'file_uploaded');
  code = verdict('an upload made after import but before the first reconciliation is never in history', uploads.some((h) => h.details.path === 'Vocals take 1.wav'), [
    `track created at ${hist.find((h) => h.kind === 'track_created')?.createdAt}`,
    `file_uploaded entries: ${uploads.length ? uploads.map((h) => h.details.path).join(', ') : 'none'}`,
  ]);
} finally {
  await w.stop();
}
process.exit(code);
