// A failed Dropbox change as a sentence with the fix (issue 11 item 4): never a raw tag, never Dropbox's own
// "Error in call to API function". The worker's last_error has a known shape (worker/src/jobs/execute.ts,
// membership.ts): "Dropbox refused (<tag path>): <why>", "gave up after N attempts: …", sign-in problems, or one of
// its own sentences. Each tag path the worker can report has its own sentence here (public/_locales: dbx_*).

import { t } from '../utils/i18n';

export interface FailureContext {
  /** The person the change was about ("Leo Vance"), or 'you' (a marker, never shown) for the viewer's own change. */
  person: string;
  /** Whose Dropbox account makes the change ("Maya Reyes"; the collaborator for a Leave or a mount), or 'you'. */
  actor: string;
  /** The viewer's own change (a collaborator looking at their own Leave / mount). */
  mine: boolean;
}

const check = () => t('dbx_check');
const you = (who: string) => who === 'you';

/** Tag path → sentence (after "Dropbox refused: "). */
const TAGS: Record<string, (c: FailureContext) => string> = {
  'access_error/not_a_member': (c) => (you(c.actor) ? t('dbx_not_a_member_you', check()) : t('dbx_not_a_member', c.actor, check())),
  'access_error/invalid_id': () => t('dbx_invalid_id', check()),
  'access_error/invalid_member': (c) => (you(c.actor) ? t('dbx_invalid_member_you') : t('dbx_invalid_member', c.actor)),
  'access_error/unmounted': () => t('dbx_unmounted'),
  'access_error/email_unverified': () => t('dbx_email_unverified'),
  'access_error/no_permission': (c) => (you(c.actor) ? t('dbx_no_permission_you', check()) : t('dbx_no_permission', c.actor, check())),
  'access_error/team_folder': () => t('dbx_team_folder'),
  'access_error/not_mountable': () => t('dbx_not_mountable'),
  'member_error/no_explicit_access': (c) => t('dbx_no_explicit_access', c.person),
  'member_error/not_a_member': (c) => t('dbx_member_not_a_member', c.person),
  'member_error/invalid_dropbox_id': (c) => t('dbx_invalid_dropbox_id', c.person),
  'member_error/group_access': (c) => t('dbx_group_access', c.person),
  no_explicit_access: (c) => t('dbx_parent_access', c.person),
  group_access: (c) => t('dbx_group_access', c.person),
  folder_owner: (c) => (you(c.person) ? t('dbx_folder_owner_you') : t('dbx_folder_owner', c.person)),
  team_folder: () => t('dbx_team_folder'),
  no_permission: (c) => (you(c.actor) ? t('dbx_account_no_permission_you', check()) : t('dbx_account_no_permission', c.actor, check())),
  too_many_files: () => t('dbx_too_many_files'),
  insufficient_plan: () => t('dbx_insufficient_plan'),
  'no_explicit_access/insufficient_plan': () => t('dbx_insufficient_plan'),
  'no_explicit_access/too_many_members': () => t('dbx_too_many_members'),
  'no_explicit_access/too_many_pending_invites': () => t('dbx_too_many_invites'),
  'no_explicit_access/rate_limit': () => t('dbx_rate_limit'),
  rate_limit: () => t('dbx_rate_limit'),
  mounted: (c) => (you(c.person) ? t('dbx_mounted_you') : t('dbx_mounted', c.person)),
  already_mounted: () => t('dbx_already_mounted'),
  inside_shared_folder: () => t('dbx_inside_shared'),
  insufficient_quota: (c) => (c.mine || you(c.person) ? t('dbx_quota_you') : t('dbx_quota', c.person)),
};

/** The tag path of "Dropbox refused (<path>)…", if the error has one. */
export function refusedPath(lastError: string): string | null {
  const m = /^Dropbox refused \(([^)]*)\)/.exec(lastError);
  return m ? (m[1] ?? '') : null;
}

/** One sentence for a failed change's last_error, with what to do about it. */
export function dropboxFailureSentence(lastError: string | null, c: FailureContext): string {
  const e = (lastError ?? '').trim();
  if (!e) return t('dbx_not_made', check());
  const path = refusedPath(e);
  if (path !== null) {
    const exact = TAGS[path] ?? TAGS[path.split('/').pop() ?? ''];
    return t('dbx_refused', exact ? exact(c) : t('dbx_not_accepted', check()));
  }
  if (/sign[- ]?in (expired|again)|disconnected from this Dropbox|not linked Dropbox/i.test(e)) {
    if (!/not linked/i.test(e)) return t('dbx_reauth');
    return you(c.person) ? t('dbx_not_linked_you') : t('dbx_not_linked', c.person);
  }
  if (/too_many_write_operations|too_many_requests|rate.?limit/i.test(e)) {
    return t('dbx_busy');
  }
  if (/^gave up after \d+ attempts/i.test(e) || /error in call to api function|internal_error|5\d\d|timed? ?out|network/i.test(e)) {
    return t('dbx_no_answer');
  }
  if (/^Dropbox refused: /i.test(e)) return t('dbx_refused_change', check());
  if (/^invalid params|track has no owner|names no member/i.test(e)) return t('dbx_could_not_send', check());
  // The worker's own sentences (mount refusals, full Dropbox…) already say what to do.
  if (/^[A-Z][^:]*[a-z]/.test(e) && !/[a-z]+_[a-z]+/.test(e)) return e.endsWith('.') ? e : `${e}.`;
  return t('dbx_not_made', check());
}
