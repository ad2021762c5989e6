// Found by the chaos run: changing a member's access level makes PD record every file already in the folder as
// "uploaded" (file_uploaded history entries for files nobody uploaded).
// Why: Dropbox (and the emulator) lists the folder and its contents again in that member's tree with the new
// read_only; reconciliation treats file entries under an already-known mount as uploads.
// Run: node chaos/repro/phantom-uploads.mjs   (exit 1 = reproduced)
import { startWorld, verdict, waitReconciled } from './env.mjs';

const OWNER = 'owner@repro.example';
const MEMBER = 'member@repro.example';
const w = await startWorld(
  {
    accounts: [{ email: OWNER, display_name: 'Owner' }, { email: MEMBER, display_name: 'Member' }],
    folders: [{ name: 'Song', owner: OWNER, path: '/Music/Song', members: [{ account: MEMBER, access_level: 'editor' }], files: [{ path: 'Mix v1.wav', size: 1000 }, { path: 'Stems/Drums.wav', size: 500 }] }],
  },
  { signIn: [MEMBER, OWNER] },
);
let code = 2;
try {
  const imp = await w.api(OWNER, 'POST', '/dropbox/import', {});
  const trackId = imp.body.imported[0].trackId;
  await waitReconciled(w, [OWNER, MEMBER]);
  await w.settle(3);
  const before = (await w.api(OWNER, 'GET', `/tracks/${trackId}/history?limit=500`)).body.entries.filter((h) => h.kind === 'file_uploaded');

  // The owner downgrades the member in PD (PD then changes it in Dropbox: sharing/update_folder_member).
  const detail = (await w.api(OWNER, 'GET', `/tracks/${trackId}`)).body;
  const member = detail.collaborators.find((c) => c.email === MEMBER);
  const r = await w.api(OWNER, 'PATCH', `/tracks/${trackId}/collaborators/${member.id}`, { accessLevel: 'viewer' });
  console.log(`PATCH access level → ${r.status}`);
  await w.until('the Dropbox change to be made', async () => (await w.api(OWNER, 'GET', `/tracks/${trackId}`)).body.dropboxChanges.length === 0);
  const state = await w.control('GET', '/state');
  console.log(`Dropbox now: member is ${state.folders[0].members.find((m) => m.email === MEMBER)?.access_type}`);
  await w.settle(6);

  const after = (await w.api(OWNER, 'GET', `/tracks/${trackId}/history?limit=500`)).body.entries.filter((h) => h.kind === 'file_uploaded');
  code = verdict('an access-level change records existing files as uploads', after.length === before.length, [
    `file_uploaded entries before the access change: ${before.length}`,
    `file_uploaded entries after it (nobody uploaded anything): ${after.length}`,
    ...after.map((h) => `  #${h.id} ${h.details.path} via ${h.via} at ${h.createdAt}`),
  ]);
} finally {
  await w.stop();
}
process.exit(code);
