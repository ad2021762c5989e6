// The chaos run's verdict: the product's promises, checked from the outside on a settled world.
// Input: what the API shows each owner (track detail, full history), everyone's notifications, the emulator's
// /_control/state, and the ledger of what every successful operation wrote. Output: mismatches (strings).

/**
 * Mismatch kinds already traced to a cause, each with a script that reproduces it alone. Only used to group the
 * report; they still count as mismatches and fail the run.
 */
export const KNOWN_FINDINGS = [
  {
    match: /was uploaded .* but nobody uploaded it/,
    finding: "An access-level change in Dropbox re-lists the folder in that member's tree; reconciliation records every existing file as uploaded",
    repro: 'node chaos/repro/phantom-uploads.mjs',
  },
  {
    match: /has 0 file_uploaded history entries/,
    finding:
      "An upload made after import but before the first reconciliation of the people's trees is never recorded (the first baseline cursor is taken after it)",
    repro: 'node chaos/repro/upload-before-first-reconcile.mjs',
  },
  {
    match: /PD has .* invited .* but Dropbox does not/,
    finding:
      'A pending PD invitation outlives the Dropbox membership PD created for it when the person leaves / is removed in Dropbox before PD reads their tree',
    repro: 'node chaos/repro/invited-then-left-in-dropbox.mjs',
  },
  {
    match: /Dropbox has .* as invitee .* but PD does not/,
    finding:
      "A Dropbox invitation PD no longer has: a membership decision read before the owner's Revoke All + re-invite written after it (leave-seen-after-reinvite.mjs), or a group member invited and accepted in PD who then left (relinquish answered group_access; group-member-invited-then-left.mjs)",
    repro: 'node chaos/repro/leave-seen-after-reinvite.mjs; node chaos/repro/group-member-invited-then-left.mjs',
  },
  {
    match: /Dropbox keeps their access through the group .* PD does not say so/,
    finding: 'Leave Track by someone a Dropbox group also gives access: Dropbox keeps the folder in their Dropbox and PD did not say so',
    repro: 'node chaos/repro/leave-with-group-access.mjs',
  },
  {
    match: /is only invited in Dropbox but PD shows them as in the folder there/,
    finding:
      "An owner-side membership read made while PD's own relinquish / removal was still queued ahead of a re-invitation noted the old membership on the new invitation",
    repro: 'cd worker && npx vitest run --project dropbox test/dropbox/stale-member-sync.test.ts -t "membership read"',
  },
  {
    match: /is shown as failed .* but is moot/,
    finding: 'A Dropbox change whose goal Dropbox already satisfies (folder unshared, member gone, level equal) ends as failed instead of done',
    repro: null,
  },
];

export function groupMismatches(mismatches) {
  const groups = new Map();
  for (const m of mismatches) {
    const k = KNOWN_FINDINGS.find((f) => f.match.test(m));
    const key = k ? k.finding : 'Not traced yet';
    if (!groups.has(key)) groups.set(key, { finding: key, repro: k?.repro ?? null, items: [] });
    groups.get(key).items.push(m);
  }
  return [...groups.values()];
}

/**
 * Failed Dropbox changes whose goal the emulator's state already satisfies, as mismatch strings:
 * - remove_member / relinquish: the folder is unshared, or the person is neither a member nor an invitee any more;
 * - update_access: the person is a member at the access level PD shows for them;
 * - add_member: the person is already a member (or invitee) at the access level PD shows for them.
 */
export function mootFailures(world) {
  const out = [];
  const folders = new Map(world.state.folders.map((f) => [f.shared_folder_id, f]));
  const trackById = new Map(world.tracks.map((t) => [t.trackId, t]));
  for (const c of world.changes) {
    if (c.status !== 'failed') continue;
    const t = trackById.get(c.trackId);
    if (!t) continue;
    const f = folders.get(t.sharedFolderId);
    const collab = t.detail.collaborators.find((x) => x.id === c.collaboratorId);
    if (!collab) continue;
    const e = lc(collab.email);
    const member = f && !f.unshared ? f.members.find((m) => lc(m.email) === e) : undefined;
    const invitee = f && !f.unshared ? f.invitees.find((i) => lc(i.email) === e) : undefined;
    let why = null;
    if (c.kind === 'remove_member' || c.kind === 'relinquish') {
      if (!f || f.unshared) why = 'the folder is no longer shared in Dropbox';
      else if (!member && !invitee) why = `${e} is no longer in the folder in Dropbox`;
    } else if (c.kind === 'update_access') {
      if (member && member.access_type === collab.accessLevel) why = `${e} already has ${collab.accessLevel} access in Dropbox`;
    } else if (c.kind === 'add_member') {
      const have = member ?? invitee;
      if (have && have.access_type === collab.accessLevel) why = `${e} is already in the folder in Dropbox with ${collab.accessLevel} access`;
    }
    if (why)
      out.push(
        `track ${c.trackId}: Dropbox change ${c.id} (${c.kind} for ${e}) is shown as failed (${c.lastError ?? 'no error'}) but is moot: ${why}`,
      );
  }
  return out;
}

const START = new Set(['collaborator_invited', 'collaborator_joined']);
const END = new Set([
  'access_revoked',
  'collaborator_left',
  'access_ended_in_dropbox',
  'invitation_cancelled',
  'invitation_declined',
  'access_expired',
]);
const ACCESS_END = new Set(['access_revoked', 'collaborator_left', 'access_ended_in_dropbox', 'access_expired']);

const lc = (s) => String(s ?? '').toLowerCase();
const sameSplits = (a, b) => ['master', 'publishing', 'writer'].every((k) => Math.abs((a?.[k] ?? 0) - (b?.[k] ?? 0)) < 1e-9);

/**
 * @param world  { state, tracks: [{ trackId, sharedFolderId, owner, detail, history }], changes, notifications: Map, syncOk: Map, people }
 * @param ledger { comments, titles, splits, uploads, collaboratorsSeen }
 * @param opts   { membershipOnly }: the cheap check used while waiting for convergence
 */
export function checkWorld(world, ledger, { membershipOnly = false } = {}) {
  const mismatches = [];
  const visibleFailed = [];
  const stats = { endedAccesses: 0, truths: { refused: 0, levelKept: 0, group: 0, acceptedInDropbox: 0 } };
  const folders = new Map(world.state.folders.map((f) => [f.shared_folder_id, f]));
  const failedFor = new Set(world.changes.filter((c) => c.status === 'failed').map((c) => `${c.trackId}:${c.collaboratorId}`));

  // 1. Membership: who PD says is on the track (active or invited) = who Dropbox has (members or invitees), with
  // three truths Dropbox keeps whatever PD asks, each right only when PD SHOWS it on the collaborator (issue 9):
  //  - Dropbox Basic refused a view-only member: PD has them (invited/active) but Dropbox does not → dropbox.state
  //    'refused'; refused a change to viewer: PD says viewer, Dropbox editor → dropbox.accessLevel 'editor';
  //  - a Dropbox group gives them access: PD may show them revoked (or left) while Dropbox keeps the access → the
  //    collaborator shows dropbox.group (or the change's note says the group keeps it); while PD has them
  //    active/invited, access through the group alone is access;
  //  - accepted (or not) in Dropbox: PD's "waiting for them to accept in Dropbox" (dropbox.state 'invited') must
  //    not stay once they are a member there, nor 'member' while Dropbox only has an invitation.
  const groupNote = (t, collabId) =>
    (t.detail.dropboxChanges ?? []).some((c) => c.collaboratorId === collabId && c.status === 'done' && /group/i.test(c.lastError ?? ''));
  for (const t of world.tracks) {
    const f = folders.get(t.sharedFolderId);
    const pd = new Map();
    for (const c of t.detail.collaborators) if (c.status === 'active' || c.status === 'invited') pd.set(lc(c.email), c);
    const dbx = new Map();
    const viaGroup = new Map(); // e-mail → group name
    if (f && !f.unshared) {
      for (const m of f.members) if (m.access_type !== 'owner') dbx.set(lc(m.email), { level: m.access_type, kind: 'member' });
      for (const i of f.invitees) dbx.set(lc(i.email), { level: i.access_type, kind: 'invitee' });
      for (const g of f.groups ?? []) for (const e of g.members ?? []) if (!viaGroup.has(lc(e))) viaGroup.set(lc(e), g.group_name);
    }
    const ownerEmail = lc(t.owner);
    const emails = new Set([...pd.keys(), ...dbx.keys()]);
    for (const e of emails) {
      const p = pd.get(e);
      const d = dbx.get(e);
      const shown = p?.dropbox ?? {};
      if (shown.state === 'refused' && !d) stats.truths.refused++;
      if (p && d && shown.accessLevel && shown.accessLevel === d.level) stats.truths.levelKept++;
      if (p && d?.kind === 'member' && shown.state === 'member') stats.truths.acceptedInDropbox++;
      let problem = null;
      if (p && !d) {
        if (shown.state === 'refused') continue; // Dropbox refused to add them (Basic): shown as such
        if (viaGroup.has(e)) continue; // their access comes through a group
        problem = `PD has ${e} ${p.status} (${p.accessLevel}) but Dropbox does not${f?.unshared ? ' (folder unshared)' : ''}`;
      } else if (!p && d) problem = `Dropbox has ${e} as ${d.kind} (${d.level}) but PD does not`;
      else if (p.status === 'active' && d.kind === 'member' && p.accessLevel !== d.level && shown.accessLevel !== d.level)
        problem = `${e}: PD says ${p.accessLevel}, Dropbox says ${d.level}`;
      else if (d.kind === 'member' && shown.state === 'invited')
        problem = `${e} is a member in Dropbox but PD still shows "waiting for them to accept in Dropbox"`;
      // (someone a group gives the folder is in it, whatever their own invitation says: mount_folder answers
      // already_mounted and Dropbox keeps that invitation pending)
      else if (d.kind === 'invitee' && shown.state === 'member' && !viaGroup.has(e))
        problem = `${e} is only invited in Dropbox but PD shows them as in the folder there`;
      if (!problem) continue;
      const collabId = p?.id ?? t.detail.collaborators.find((c) => lc(c.email) === e)?.id;
      if (collabId && failedFor.has(`${t.trackId}:${collabId}`))
        visibleFailed.push(`track ${t.trackId}: ${problem} — shown as a failed Dropbox change`);
      else mismatches.push(`track ${t.trackId} "${t.detail.track.title}": ${problem}`);
    }
    // Ended in PD, kept in Dropbox by a group: right only when PD says so.
    for (const [e, group] of viaGroup) {
      if (pd.has(e) || dbx.has(e) || e === ownerEmail) continue;
      const ended = t.detail.collaborators.filter((c) => lc(c.email) === e && (c.status === 'revoked' || c.status === 'left')).at(-1);
      if (!ended) continue;
      if (ended.dropbox?.group || groupNote(t, ended.id)) {
        stats.truths.group++;
        continue;
      }
      mismatches.push(
        `track ${t.trackId} "${t.detail.track.title}": PD shows ${e} ${ended.status} but Dropbox keeps their access through the group "${group}", and PD does not say so`,
      );
    }
  }
  if (membershipOnly) return { mismatches, visibleFailed, stats };

  // 1b. No failed change is moot: a change whose goal Dropbox already satisfies must end done (with the reason in
  // history), never as a failure the owner is asked to retry.
  for (const m of mootFailures(world)) mismatches.push(m);

  const accountOf = new Map(world.people.map((p) => [lc(p.email), p.accountId]));

  // 2. Every ended access: one history entry and one notification; no doubled end, status and history agree.
  for (const t of world.tracks) {
    const hist = [...t.history].sort((a, b) => a.id - b.id);
    const byCollab = new Map();
    for (const h of hist) {
      if (!h.collaboratorId || (!START.has(h.kind) && !END.has(h.kind))) continue;
      if (!byCollab.has(h.collaboratorId)) byCollab.set(h.collaboratorId, []);
      byCollab.get(h.collaboratorId).push(h);
    }
    for (const c of t.detail.collaborators) {
      const seq = byCollab.get(c.id) ?? [];
      for (let i = 1; i < seq.length; i++) {
        if (END.has(seq[i].kind) && END.has(seq[i - 1].kind)) {
          mismatches.push(
            `track ${t.trackId}: ${c.email} has two end entries in a row (${seq[i - 1].kind} #${seq[i - 1].id}, ${seq[i].kind} #${seq[i].id})`,
          );
        }
      }
      const last = seq.at(-1);
      if ((c.status === 'revoked' || c.status === 'left' || c.status === 'declined') && (!last || !END.has(last.kind))) {
        mismatches.push(
          `track ${t.trackId}: ${c.email} is ${c.status} but the last history entry is ${last ? `${last.kind} #${last.id}` : 'missing'}`,
        );
      }
      if ((c.status === 'active' || c.status === 'invited') && last && END.has(last.kind)) {
        mismatches.push(`track ${t.trackId}: ${c.email} is ${c.status} but the last history entry is ${last.kind} #${last.id}`);
      }
    }
    // Notifications: each access_revoked entry → one access_revoked notification to that collaborator on this
    // track; each collaborator_left entry → one collaborator_left notification to the owner.
    const revokedPerEmail = new Map();
    const expiredPerEmail = new Map();
    // Ended in Dropbox (nobody known): one access_ended_in_dropbox notification to them, one to the owner.
    const endedPerEmail = new Map();
    let leftCount = 0;
    let endedCount = 0;
    for (const h of hist) {
      if (!ACCESS_END.has(h.kind)) continue;
      stats.endedAccesses++;
      const c = t.detail.collaborators.find((x) => x.id === h.collaboratorId);
      if (!c) {
        mismatches.push(`track ${t.trackId}: history #${h.id} (${h.kind}) names collaborator ${h.collaboratorId}, who is no longer on the track`);
        continue;
      }
      if (h.kind === 'access_revoked') revokedPerEmail.set(lc(c.email), (revokedPerEmail.get(lc(c.email)) ?? 0) + 1);
      else if (h.kind === 'access_expired') expiredPerEmail.set(lc(c.email), (expiredPerEmail.get(lc(c.email)) ?? 0) + 1);
      else if (h.kind === 'access_ended_in_dropbox') {
        endedPerEmail.set(lc(c.email), (endedPerEmail.get(lc(c.email)) ?? 0) + 1);
        if (c.accountId) endedCount++;
      } else leftCount++;
    }
    // Issue 12: an access (or invitation) ended by its expiry / heads-up date → one access_expired to the collaborator
    // and one to the owner.
    const scheduledEnds = hist.filter((h) => h.kind === 'access_expired' || (h.kind === 'invitation_cancelled' && h.details?.endedBy)).length;
    for (const [email, n] of world.notifications) {
      if (lc(email) === lc(t.owner)) continue;
      const got = n.filter((x) => x.kind === 'access_expired' && x.trackId === t.trackId).length;
      const want = expiredPerEmail.get(lc(email)) ?? 0;
      if (got !== want) mismatches.push(`track ${t.trackId}: ${email} has ${got} access_expired notification(s) for ${want} expiries in history`);
    }
    const ownerExpired = (world.notifications.get(t.owner) ?? []).filter((x) => x.kind === 'access_expired' && x.trackId === t.trackId).length;
    if (ownerExpired !== scheduledEnds)
      mismatches.push(
        `track ${t.trackId}: owner has ${ownerExpired} access_expired notification(s) for ${scheduledEnds} scheduled end(s) in history`,
      );
    for (const [email, n] of world.notifications) {
      if (lc(email) === lc(t.owner)) continue;
      const got = n.filter((x) => x.kind === 'access_revoked' && x.trackId === t.trackId).length;
      const want = revokedPerEmail.get(lc(email)) ?? 0;
      if (got !== want)
        mismatches.push(`track ${t.trackId}: ${email} has ${got} access_revoked notification(s) for ${want} revocation(s) in history`);
      const gotEnded = n.filter((x) => x.kind === 'access_ended_in_dropbox' && x.trackId === t.trackId).length;
      const wantEnded = endedPerEmail.get(lc(email)) ?? 0;
      if (gotEnded !== wantEnded)
        mismatches.push(`track ${t.trackId}: ${email} has ${gotEnded} access_ended_in_dropbox notification(s) for ${wantEnded} in history`);
    }
    const ownerEnded = (world.notifications.get(t.owner) ?? []).filter(
      (x) => x.kind === 'collaborator_access_ended_in_dropbox' && x.trackId === t.trackId,
    ).length;
    if (ownerEnded !== endedCount)
      mismatches.push(
        `track ${t.trackId}: owner has ${ownerEnded} collaborator_access_ended_in_dropbox notification(s) for ${endedCount} in history`,
      );
    const ownerLeft = (world.notifications.get(t.owner) ?? []).filter((x) => x.kind === 'collaborator_left' && x.trackId === t.trackId).length;
    if (ownerLeft !== leftCount)
      mismatches.push(`track ${t.trackId}: owner has ${ownerLeft} collaborator_left notification(s) for ${leftCount} departure(s) in history`);
  }

  const trackById = new Map(world.tracks.map((t) => [t.trackId, t]));

  // 3. Nothing of anyone's work lost.
  for (const c of ledger.comments) {
    const t = trackById.get(c.trackId);
    const got = t?.detail.comments.find((x) => x.id === c.id);
    if (!got) mismatches.push(`comment ${c.id} by ${c.authorEmail} on ${c.trackId} is gone`);
    else if (got.body !== c.body) mismatches.push(`comment ${c.id} changed: ${JSON.stringify(got.body)}`);
    else if (got.authorId !== accountOf.get(lc(c.authorEmail)))
      mismatches.push(`comment ${c.id} is attributed to ${got.authorId}, not ${c.authorEmail}`);
  }
  const lastTitle = new Map();
  for (const e of ledger.titles) {
    const t = trackById.get(e.trackId);
    if (!t) continue;
    if (!lastTitle.has(e.trackId) || lastTitle.get(e.trackId).seq < e.seq) lastTitle.set(e.trackId, e);
    const inHistory = t.history.some((h) => h.kind === 'metadata_changed' && h.details?.changes?.title?.to === e.title);
    if (!inHistory) mismatches.push(`edit "${e.title}" on ${e.trackId} has no metadata_changed history entry`);
  }
  for (const [trackId, e] of lastTitle) {
    const now = trackById.get(trackId).detail.track.title;
    if (now !== e.title) mismatches.push(`track ${trackId}: title is "${now}", the last successful edit wrote "${e.title}"`);
  }
  const lastSplit = new Map();
  for (const e of ledger.splits) {
    const t = trackById.get(e.trackId);
    if (!t) continue;
    const key = `${e.trackId}:${e.collaboratorId}`;
    if (!lastSplit.has(key) || lastSplit.get(key).seq < e.seq) lastSplit.set(key, e);
    const inHistory = t.history.some(
      (h) =>
        h.kind === 'splits_changed' && (h.details?.changes ?? []).some((ch) => ch.collaboratorId === e.collaboratorId && sameSplits(ch.to, e.splits)),
    );
    if (!inHistory)
      mismatches.push(`split change ${JSON.stringify(e.splits)} for ${e.collaboratorId} on ${e.trackId} has no splits_changed history entry`);
  }
  for (const [key, e] of lastSplit) {
    const c = trackById.get(e.trackId).detail.collaborators.find((x) => x.id === e.collaboratorId);
    if (!c) mismatches.push(`collaborator ${e.collaboratorId} (with splits) vanished from ${e.trackId}`);
    else if (!sameSplits(c.splits, e.splits))
      mismatches.push(`${key}: splits are ${JSON.stringify(c.splits)}, the last successful change wrote ${JSON.stringify(e.splits)}`);
  }
  for (const [id, seen] of ledger.collaboratorsSeen) {
    const t = trackById.get(seen.trackId);
    const c = t?.detail.collaborators.find((x) => x.id === id);
    if (!c) mismatches.push(`credit lost: collaborator ${id} (${seen.email}) is no longer on track ${seen.trackId}`);
  }
  const bySf = new Map(world.tracks.map((t) => [t.sharedFolderId, t]));
  for (const u of ledger.uploads) {
    const t = bySf.get(u.sharedFolderId);
    if (!t) continue;
    const n = t.history.filter(
      (h) =>
        h.kind === 'file_uploaded' &&
        String(h.details?.path ?? '')
          .toLowerCase()
          .endsWith(u.relPath.toLowerCase()),
    ).length;
    if (n !== 1) mismatches.push(`upload ${u.relPath} into ${t.trackId} has ${n} file_uploaded history entries (want 1)`);
  }

  // Uploads in history that nobody made (files that were already there, listed again).
  for (const t of world.tracks) {
    const made = new Set(ledger.uploads.filter((u) => u.sharedFolderId === t.sharedFolderId).map((u) => u.relPath.toLowerCase()));
    for (const h of t.history) {
      if (h.kind !== 'file_uploaded') continue;
      const p = String(h.details?.path ?? '').toLowerCase();
      if (![...made].some((m) => p.endsWith(m)))
        mismatches.push(`track ${t.trackId}: history #${h.id} says "${h.details?.path}" was uploaded (${h.createdAt}), but nobody uploaded it`);
    }
  }

  // 4. Libraries: on the track ⇔ in the library and in what sync from 0 adds up to; departed people get 403.
  for (const [email, ok] of world.syncOk) if (!ok) mismatches.push(`GET /sync failed for ${email}`);
  for (const t of world.tracks) {
    const shouldHave = new Set([lc(t.owner)]);
    for (const c of t.detail.collaborators) if (c.status === 'active' && accountOf.has(lc(c.email))) shouldHave.add(lc(c.email));
    for (const p of world.people) {
      const e = lc(p.email);
      const want = shouldHave.has(e);
      const inLib = world.libraries.get(p.email)?.has(t.trackId) ?? false;
      const inSync = world.synced.get(p.email)?.has(t.trackId) ?? false;
      if (inLib !== want) mismatches.push(`track ${t.trackId}: ${want ? 'missing from' : 'still in'} ${p.email}'s library`);
      if (inSync !== want) mismatches.push(`track ${t.trackId}: ${p.email}'s sync from cursor 0 ${want ? 'lacks' : 'still has'} it`);
    }
  }
  for (const d of world.departedReads) {
    if (d.status !== 403) mismatches.push(`${d.email} left/was revoked from ${d.trackId} but GET /tracks answers ${d.status} ${d.code ?? ''}`);
  }

  return { mismatches, visibleFailed, stats };
}
