// A failed Dropbox change as a sentence with the fix (issue 11 item 4): never a raw tag, never Dropbox's own
// "Error in call to API function". The worker's last_error has a known shape (worker/src/jobs/execute.ts,
// membership.ts): "Dropbox refused (<tag path>): <why>", "gave up after N attempts: …", sign-in problems, or one of
// its own sentences. Each tag path the worker can report has its own sentence here.

export interface FailureContext {
  /** The person the change was about ("Leo Vance"), or "you" when it is the viewer's own change. */
  person: string;
  /** Whose Dropbox account makes the change ("Maya Reyes"; the collaborator for a Leave or a mount), or "you". */
  actor: string;
  /** The viewer's own change (a collaborator looking at their own Leave / mount). */
  mine: boolean;
}

const CHECK = 'open the folder in Dropbox to check, then Retry';

/** Tag path → sentence (after "Dropbox refused: "). */
const TAGS: Record<string, (c: FailureContext) => string> = {
  'access_error/not_a_member': (c) =>
    `${c.actor === 'you' ? 'your Dropbox account is' : `${c.actor} is`} no longer a member of this folder in Dropbox — ${CHECK}`,
  'access_error/invalid_id': () => `the folder is no longer shared in Dropbox — ${CHECK}`,
  'access_error/invalid_member': (c) =>
    `Dropbox says ${c.actor === 'you' ? 'your' : `${c.actor}'s`} account is disabled or no longer exists — sign in to Dropbox to check`,
  'access_error/unmounted': () => 'the folder was removed from your Dropbox — add it back in Dropbox, then Retry',
  'access_error/email_unverified': () => 'the Dropbox e-mail address is not verified — verify it in Dropbox, then Retry',
  'access_error/no_permission': (c) =>
    `${c.actor === 'you' ? 'you are' : `${c.actor} is`} not allowed to change this folder's members in Dropbox — ${CHECK}`,
  'access_error/team_folder': () => 'this is a team folder, and Dropbox does not allow this there — ask your team admin',
  'access_error/not_mountable': () => 'this folder cannot be added to a Dropbox from here — accept it in Dropbox itself',
  'member_error/no_explicit_access': (c) => `${c.person} still has access through a group or a parent folder, which Dropbox keeps — remove it there`,
  'member_error/not_a_member': (c) => `${c.person} is not a member of the folder in Dropbox any more — nothing is left to remove`,
  'member_error/invalid_dropbox_id': (c) => `Dropbox does not know ${c.person}'s account — invite them again by e-mail`,
  'member_error/group_access': (c) => `${c.person}'s access comes through a Dropbox group — remove them from that group in Dropbox`,
  no_explicit_access: (c) => `${c.person}'s access comes from a parent folder, which Dropbox keeps — change it on that folder in Dropbox`,
  group_access: (c) => `${c.person}'s access comes through a Dropbox group — remove them from that group in Dropbox`,
  folder_owner: (c) => `${c.person === 'you' ? 'you own' : `${c.person} owns`} the folder in Dropbox — an owner cannot be removed`,
  team_folder: () => 'this is a team folder, and Dropbox does not allow this there — ask your team admin',
  no_permission: (c) =>
    `${c.actor === 'you' ? 'your Dropbox account is' : `${c.actor}'s Dropbox account is`} not allowed to make this change — ${CHECK}`,
  too_many_files: () => 'the folder has too many files to leave a copy — Retry (PD keeps no copy)',
  insufficient_plan: () => "Dropbox Basic can't make someone view-only — they stay Editor in Dropbox (upgrade, or make them Editor in PD too)",
  'no_explicit_access/insufficient_plan': () =>
    "Dropbox Basic can't make someone view-only — they stay Editor in Dropbox (upgrade, or make them Editor in PD too)",
  'no_explicit_access/too_many_members': () => 'the folder has reached Dropbox’s member limit — remove someone in Dropbox first',
  'no_explicit_access/too_many_pending_invites': () => 'the folder has too many pending invitations in Dropbox — cancel some there first',
  'no_explicit_access/rate_limit': () => 'Dropbox’s daily invitation limit is reached — PD tries again tomorrow',
  rate_limit: () => 'Dropbox’s daily invitation limit is reached — PD tries again tomorrow',
  mounted: (c) => `the folder is still in ${c.person === 'you' ? 'your' : `${c.person}'s`} Dropbox — Retry`,
  already_mounted: () => 'the folder is already in the Dropbox',
  inside_shared_folder: () =>
    'Dropbox cannot put this folder inside another shared folder — accept it in Dropbox and choose where it goes, then Retry',
  insufficient_quota: (c) => `${c.mine ? 'your' : `${c.person}'s`} Dropbox is full — free up space in Dropbox, then Retry`,
};

/** The tag path of "Dropbox refused (<path>)…", if the error has one. */
export function refusedPath(lastError: string): string | null {
  const m = /^Dropbox refused \(([^)]*)\)/.exec(lastError);
  return m ? (m[1] ?? '') : null;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** One sentence for a failed change's last_error, with what to do about it. */
export function dropboxFailureSentence(lastError: string | null, c: FailureContext): string {
  const e = (lastError ?? '').trim();
  if (!e) return `Dropbox did not make this change — ${CHECK}.`;
  const path = refusedPath(e);
  if (path !== null) {
    const exact = TAGS[path] ?? TAGS[path.split('/').pop() ?? ''];
    return `Dropbox refused: ${exact ? exact(c) : `it did not accept this change — ${CHECK}`}.`;
  }
  if (/sign[- ]?in (expired|again)|disconnected from this Dropbox|not linked Dropbox/i.test(e)) {
    return /not linked/i.test(e)
      ? `${capital(c.person === 'you' ? 'you have' : `${c.person} has`)} not linked Dropbox to Producer Dashboard — accept the invitation in Dropbox instead.`
      : 'Dropbox no longer accepts Producer Dashboard’s sign-in — sign in with Dropbox again, then Retry.';
  }
  if (/too_many_write_operations|too_many_requests|rate.?limit/i.test(e)) {
    return 'Dropbox was busy with other changes to this folder — Retry in a few minutes.';
  }
  if (/^gave up after \d+ attempts/i.test(e) || /error in call to api function|internal_error|5\d\d|timed? ?out|network/i.test(e)) {
    return 'Dropbox did not answer after several tries — Retry in a few minutes.';
  }
  if (/^Dropbox refused: /i.test(e)) return `Dropbox refused this change — ${CHECK}.`;
  if (/^invalid params|track has no owner|names no member/i.test(e)) return `Producer Dashboard could not send this change to Dropbox — ${CHECK}.`;
  // The worker's own sentences (mount refusals, full Dropbox…) already say what to do.
  if (/^[A-Z][^:]*[a-z]/.test(e) && !/[a-z]+_[a-z]+/.test(e)) return e.endsWith('.') ? e : `${e}.`;
  return `Dropbox did not make this change — ${CHECK}.`;
}
