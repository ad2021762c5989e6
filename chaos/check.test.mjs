// The chaos verdict must be able to fail: each promise broken on purpose in a small settled world is reported.
// Run: node --test chaos/check.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWorld } from './check.mjs';

const OWNER = 'owner@x.example';
const LEO = 'leo@x.example';
const SAM = 'sam@x.example';

function world() {
  const collaborators = [
    {
      id: 'col_leo',
      accountId: 'acc_leo',
      email: LEO,
      displayName: 'Leo',
      status: 'active',
      accessLevel: 'editor',
      splits: { master: 10, publishing: 0, writer: 0 },
      joinedAt: 't1',
    },
    {
      id: 'col_sam',
      accountId: 'acc_sam',
      email: SAM,
      displayName: 'Sam',
      status: 'revoked',
      accessLevel: 'viewer',
      splits: { master: 0, publishing: 0, writer: 0 },
      joinedAt: 't1',
    },
  ];
  const history = [
    { id: 1, kind: 'track_created', collaboratorId: null, details: {} },
    { id: 2, kind: 'collaborator_joined', collaboratorId: 'col_leo', details: {} },
    { id: 3, kind: 'collaborator_joined', collaboratorId: 'col_sam', details: {} },
    { id: 4, kind: 'access_revoked', collaboratorId: 'col_sam', details: { previousStatus: 'active' } },
    { id: 5, kind: 'metadata_changed', collaboratorId: null, details: { changes: { title: { from: 'Song', to: 'Song v2' } } } },
    {
      id: 6,
      kind: 'splits_changed',
      collaboratorId: null,
      details: { changes: [{ collaboratorId: 'col_leo', to: { master: 10, publishing: 0, writer: 0 } }] },
    },
    { id: 7, kind: 'file_uploaded', collaboratorId: null, details: { path: 'Take 1.wav' } },
  ];
  return {
    state: {
      folders: [
        {
          shared_folder_id: '100',
          unshared: false,
          members: [
            { email: OWNER, access_type: 'owner' },
            { email: LEO, access_type: 'editor' },
          ],
          invitees: [],
        },
      ],
    },
    tracks: [
      {
        trackId: 'trk_1',
        sharedFolderId: '100',
        owner: OWNER,
        detail: {
          track: { id: 'trk_1', title: 'Song v2' },
          collaborators,
          comments: [{ id: 'cmt_1', body: 'hi', authorId: 'acc_sam' }],
          dropboxChanges: [],
        },
        history,
      },
    ],
    changes: [],
    notifications: new Map([
      [OWNER, []],
      [LEO, []],
      [SAM, [{ kind: 'access_revoked', trackId: 'trk_1' }]],
    ]),
    syncOk: new Map([
      [OWNER, true],
      [LEO, true],
      [SAM, true],
    ]),
    libraries: new Map([
      [OWNER, new Set(['trk_1'])],
      [LEO, new Set(['trk_1'])],
      [SAM, new Set()],
    ]),
    synced: new Map([
      [OWNER, new Set(['trk_1'])],
      [LEO, new Set(['trk_1'])],
      [SAM, new Set()],
    ]),
    departedReads: [{ trackId: 'trk_1', email: SAM, status: 403, code: 'access_ended' }],
    people: [
      { email: OWNER, accountId: 'acc_owner' },
      { email: LEO, accountId: 'acc_leo' },
      { email: SAM, accountId: 'acc_sam' },
    ],
  };
}

function ledger() {
  return {
    comments: [{ trackId: 'trk_1', id: 'cmt_1', body: 'hi', authorEmail: SAM }],
    titles: [{ trackId: 'trk_1', title: 'Song v2', seq: 1 }],
    splits: [{ trackId: 'trk_1', collaboratorId: 'col_leo', splits: { master: 10, publishing: 0, writer: 0 }, seq: 2 }],
    uploads: [{ sharedFolderId: '100', relPath: 'Take 1.wav' }],
    collaboratorsSeen: new Map([
      ['col_leo', { trackId: 'trk_1', email: LEO }],
      ['col_sam', { trackId: 'trk_1', email: SAM }],
    ]),
  };
}

const run = (w = world(), l = ledger()) => checkWorld(w, l).mismatches;

test('a settled, consistent world has no mismatches', () => {
  assert.deepEqual(run(), []);
});

test('Dropbox still has someone PD revoked', () => {
  const w = world();
  w.state.folders[0].members.push({ email: SAM, access_type: 'viewer' });
  assert.match(run(w).join('\n'), /Dropbox has sam@x.example as member/);
});

test('... unless PD shows that Dropbox change as failed (visible, not a mismatch)', () => {
  const w = world();
  w.state.folders[0].members.push({ email: SAM, access_type: 'viewer' });
  w.changes.push({ id: 9, trackId: 'trk_1', collaboratorId: 'col_sam', status: 'failed' });
  const r = checkWorld(w, ledger());
  assert.deepEqual(r.mismatches, []);
  assert.equal(r.visibleFailed.length, 1);
});

test('access levels differ', () => {
  const w = world();
  w.state.folders[0].members[1].access_type = 'viewer';
  assert.match(run(w).join('\n'), /PD says editor, Dropbox says viewer/);
});

test('an ended access without its notification, or with two', () => {
  const w = world();
  w.notifications.set(SAM, []);
  assert.match(run(w).join('\n'), /0 access_revoked notification\(s\) for 1 revocation/);
  w.notifications.set(SAM, [
    { kind: 'access_revoked', trackId: 'trk_1' },
    { kind: 'access_revoked', trackId: 'trk_1' },
  ]);
  assert.match(run(w).join('\n'), /2 access_revoked notification\(s\) for 1 revocation/);
});

test('issue 12: an access that expired needs one access_expired to the collaborator and one to the owner', () => {
  const w = world();
  const sam = w.tracks[0].detail.collaborators[1];
  w.tracks[0].history[3] = { id: 4, kind: 'access_expired', collaboratorId: 'col_sam', details: { previousStatus: 'active', endedBy: 'heads_up' } };
  assert.equal(sam.status, 'revoked');
  w.notifications.set(SAM, [{ kind: 'access_expired', trackId: 'trk_1' }]);
  w.notifications.set(OWNER, [{ kind: 'access_expired', trackId: 'trk_1' }]);
  assert.deepEqual(run(w), []);
  w.notifications.set(OWNER, []);
  assert.match(run(w).join('\n'), /owner has 0 access_expired notification\(s\) for 1 scheduled end/);
  w.notifications.set(OWNER, [{ kind: 'access_expired', trackId: 'trk_1' }]);
  w.notifications.set(SAM, [
    { kind: 'access_expired', trackId: 'trk_1' },
    { kind: 'access_expired', trackId: 'trk_1' },
  ]);
  assert.match(run(w).join('\n'), /sam@x.example has 2 access_expired notification\(s\) for 1 expiries/);
});

test('an ended access recorded twice in history', () => {
  const w = world();
  w.tracks[0].history.push({ id: 8, kind: 'collaborator_left', collaboratorId: 'col_sam', details: {} });
  assert.match(run(w).join('\n'), /two end entries in a row/);
});

test('a lost comment, edit, split, credit or upload', () => {
  const w = world();
  w.tracks[0].detail.comments = [];
  w.tracks[0].detail.track.title = 'Song';
  w.tracks[0].detail.collaborators[0].splits = { master: 0, publishing: 0, writer: 0 };
  w.tracks[0].history = w.tracks[0].history.filter((h) => h.kind !== 'file_uploaded');
  const l = ledger();
  l.collaboratorsSeen.set('col_gone', { trackId: 'trk_1', email: 'gone@x.example' });
  const out = run(w, l).join('\n');
  assert.match(out, /comment cmt_1 .* is gone/);
  assert.match(out, /title is "Song", the last successful edit wrote "Song v2"/);
  assert.match(out, /splits are .* the last successful change wrote/);
  assert.match(out, /credit lost: collaborator col_gone/);
  assert.match(out, /upload Take 1.wav .* has 0 file_uploaded/);
});

test('an upload nobody made', () => {
  const w = world();
  w.tracks[0].history.push({ id: 9, kind: 'file_uploaded', collaboratorId: null, details: { path: 'Mix v1.wav' } });
  assert.match(run(w).join('\n'), /"Mix v1.wav" was uploaded .* but nobody uploaded it/);
});

test('a departed person still sees the track', () => {
  const w = world();
  w.libraries.get(SAM).add('trk_1');
  w.departedReads[0].status = 200;
  const out = run(w).join('\n');
  assert.match(out, /still in sam@x.example's library/);
  assert.match(out, /GET \/tracks answers 200/);
});

test('the report groups mismatches by traced cause, and keeps untraced ones apart', async () => {
  const { groupMismatches } = await import('./check.mjs');
  const w = world();
  w.tracks[0].history.push({ id: 9, kind: 'file_uploaded', collaboratorId: null, details: { path: 'Mix v1.wav' } });
  w.notifications.set(SAM, []);
  const groups = groupMismatches(run(w));
  assert.equal(groups.length, 2);
  assert.ok(groups.find((g) => g.repro === 'node chaos/repro/phantom-uploads.mjs' && g.items.length === 1));
  assert.ok(groups.find((g) => g.finding === 'Not traced yet' && /access_revoked notification/.test(g.items[0])));
});

test('a failed Dropbox change whose goal Dropbox already satisfies (moot) fails the verdict', async () => {
  const { groupMismatches } = await import('./check.mjs');
  // Sam's removal failed, but Sam is no longer in the folder: the change is moot, not failed.
  const gone = world();
  gone.changes.push({
    id: 9,
    kind: 'remove_member',
    trackId: 'trk_1',
    collaboratorId: 'col_sam',
    status: 'failed',
    lastError: 'Dropbox refused: access_error/invalid_id',
  });
  const out = run(gone);
  assert.equal(out.length, 1);
  assert.match(
    out[0],
    /Dropbox change 9 \(remove_member for sam@x.example\) is shown as failed .* but is moot: sam@x.example is no longer in the folder/,
  );
  assert.equal(groupMismatches(out)[0].finding.startsWith('A Dropbox change whose goal Dropbox already satisfies'), true);

  // The folder was unshared in Dropbox meanwhile: nobody has access, the removal is moot.
  const unshared = world();
  unshared.state.folders[0].unshared = true;
  unshared.state.folders[0].members = [];
  unshared.tracks[0].detail.collaborators[0].status = 'revoked';
  unshared.tracks[0].history.push({ id: 8, kind: 'access_revoked', collaboratorId: 'col_leo', details: {} });
  unshared.notifications.set(LEO, [{ kind: 'access_revoked', trackId: 'trk_1' }]);
  unshared.libraries.get(LEO).delete('trk_1');
  unshared.synced.get(LEO).delete('trk_1');
  unshared.changes.push({ id: 10, kind: 'remove_member', trackId: 'trk_1', collaboratorId: 'col_leo', status: 'failed', lastError: 'x' });
  assert.deepEqual(
    run(unshared).map((m) => m.replace(/.*is moot: /, '')),
    ['the folder is no longer shared in Dropbox'],
  );

  // An access-level change that failed although Dropbox already has that level.
  const level = world();
  level.changes.push({ id: 11, kind: 'update_access', trackId: 'trk_1', collaboratorId: 'col_leo', status: 'failed', lastError: 'x' });
  assert.match(run(level).join('\n'), /change 11 \(update_access for leo@x.example\) .* moot: leo@x.example already has editor access/);
});

test('a failed Dropbox change that is not moot stays visible, not a mismatch', () => {
  // Sam's removal failed and Sam is still in the folder: a real failure, shown to the owner with Retry.
  const w = world();
  w.state.folders[0].members.push({ email: SAM, access_type: 'viewer' });
  w.changes.push({ id: 9, kind: 'remove_member', trackId: 'trk_1', collaboratorId: 'col_sam', status: 'failed', lastError: 'x' });
  // Leo's level change failed and Dropbox still has the old level.
  w.state.folders[0].members[1].access_type = 'viewer';
  w.changes.push({ id: 10, kind: 'update_access', trackId: 'trk_1', collaboratorId: 'col_leo', status: 'failed', lastError: 'x' });
  const r = checkWorld(w, ledger());
  assert.deepEqual(r.mismatches, []);
  assert.equal(r.visibleFailed.length, 2);
});

test('Dropbox Basic refused: right only when PD shows what Dropbox kept', () => {
  // Leo stays Editor in Dropbox although PD asked for Viewer (Basic): a mismatch unless PD shows it.
  const level = world();
  level.tracks[0].detail.collaborators[0].accessLevel = 'viewer';
  assert.match(run(level).join('\n'), /leo@x.example: PD says viewer, Dropbox says editor/);
  level.tracks[0].detail.collaborators[0].dropbox = { state: 'member', accessLevel: 'editor', group: null };
  assert.deepEqual(run(level), []);
  // Kai invited as Viewer: Dropbox refused to add him at all. PD has him invited; right only with state 'refused'.
  const add = world();
  add.tracks[0].detail.collaborators.push({
    id: 'col_kai',
    accountId: null,
    email: 'kai@x.example',
    displayName: 'Kai',
    status: 'invited',
    accessLevel: 'viewer',
    splits: { master: 0, publishing: 0, writer: 0 },
    joinedAt: null,
  });
  add.tracks[0].history.push({ id: 8, kind: 'collaborator_invited', collaboratorId: 'col_kai', details: {} });
  assert.match(run(add).join('\n'), /PD has kai@x.example invited \(viewer\) but Dropbox does not/);
  add.tracks[0].detail.collaborators.at(-1).dropbox = { state: 'refused', accessLevel: null, group: null };
  assert.deepEqual(run(add), []);
});

test('a group keeps access in Dropbox: right only when PD says so for someone it shows revoked', () => {
  const w = world();
  w.state.folders[0].groups = [{ group_name: 'Band', access_type: 'editor', members: [SAM] }];
  assert.match(run(w).join('\n'), /PD shows sam@x.example revoked but Dropbox keeps their access through the group "Band", and PD does not say so/);
  w.tracks[0].detail.collaborators[1].dropbox = { state: null, accessLevel: null, group: 'the group "Band"' };
  assert.deepEqual(run(w), []);
  // Active in PD, in Dropbox only through the group: that is access.
  const active = world();
  active.state.folders[0].members = active.state.folders[0].members.filter((m) => m.email !== LEO);
  assert.match(run(active).join('\n'), /PD has leo@x.example active/);
  active.state.folders[0].groups = [{ group_name: 'Band', access_type: 'editor', members: [LEO] }];
  assert.deepEqual(run(active), []);
});

test('accepted in Dropbox: PD must not keep showing "waiting for them to accept in Dropbox"', () => {
  const w = world();
  w.tracks[0].detail.collaborators[0].dropbox = { state: 'invited', accessLevel: null, group: null };
  assert.match(run(w).join('\n'), /leo@x.example is a member in Dropbox but PD still shows "waiting for them to accept in Dropbox"/);
  const inv = world();
  inv.state.folders[0].members = inv.state.folders[0].members.filter((m) => m.email !== LEO);
  inv.state.folders[0].invitees.push({ email: LEO, access_type: 'editor' });
  inv.tracks[0].detail.collaborators[0].dropbox = { state: 'member', accessLevel: null, group: null };
  assert.match(run(inv).join('\n'), /leo@x.example is only invited in Dropbox but PD shows them as in the folder there/);
});
