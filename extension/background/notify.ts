// Browser notifications and the toolbar badge.
import { browser } from 'wxt/browser';
import type { Notification } from '@pd/shared';

/** The sentence a PD notification stands for, as the user reads it. */
/** A date-time as the reader's browser writes it. */
export function when(iso: string | null | undefined): string {
  if (!iso) return 'an unknown date';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function describeNotification(n: Pick<Notification, 'kind' | 'trackTitle' | 'actor' | 'via' | 'notice' | 'headsUp'>): string {
  const who = n.actor.name || 'Someone';
  const inDropbox = n.via === 'dropbox' ? ' in Dropbox' : '';
  switch (n.kind) {
    case 'access_revoked':
      return `${who} revoked your access to “${n.trackTitle}”${inDropbox}. It has left your library and your Dropbox.`;
    case 'collaborator_left':
      return `${who} left “${n.trackTitle}”${inDropbox}.`;
    case 'invitation_received':
      return `${who} invited you to “${n.trackTitle}”.`;
    case 'invitation_accepted':
      return `${who} accepted your invitation to “${n.trackTitle}”.`;
    case 'invitation_declined':
      return `${who} declined your invitation to “${n.trackTitle}”.`;
    case 'access_level_changed':
      return `${who} changed your access to “${n.trackTitle}”.`;
    case 'access_expiry_set':
      return n.notice?.accessEndsAt
        ? `${who} set your access to “${n.trackTitle}” to end on ${when(n.notice.accessEndsAt)}.`
        : `${who} removed the end date of your access to “${n.trackTitle}”.`;
    case 'access_expiring':
      return `Your access to “${n.trackTitle}” ends ${n.notice?.reminder === '1_day' ? 'in 1 day' : 'in 3 days'} (${when(n.notice?.accessEndsAt)}). Download the files you need before then.`;
    case 'heads_up':
      return `Heads-up from ${who}: your access to “${n.trackTitle}” ends on ${when(n.headsUp?.accessEndsAt ?? n.notice?.accessEndsAt)}. Download the files you need before then.${n.headsUp?.note ? ` “${n.headsUp.note}”` : ''}`;
    case 'heads_up_cancelled':
      return `${who} cancelled the heads-up: your access to “${n.trackTitle}” continues.`;
    case 'access_expired':
      return n.notice?.collaborator
        ? `${n.notice.collaborator}'s access to “${n.trackTitle}” ended on its ${n.notice.endedBy === 'heads_up' ? 'heads-up' : 'expiry'} date.`
        : `Your access to “${n.trackTitle}” expired${n.notice?.endedBy === 'heads_up' ? ' (after the heads-up)' : ''}. It has left your library and your Dropbox.${n.headsUp?.note ? ` “${n.headsUp.note}”` : ''}`;
    case 'stale_access_digest': {
      const d = n.notice?.digest;
      return d
        ? `${d.people === 1 ? '1 person has' : `${d.people} people have`} had idle Editor access to ${d.tracks === 1 ? '1 unreleased track' : `${d.tracks} unreleased tracks`} for more than ${d.idleDays} days. Open the review to act.`
        : 'Some people have idle Editor access to your unreleased tracks. Open the review to act.';
    }
    case 'access_ended_in_dropbox':
      // Dropbox did not say who ended it: no name, no guess (issue 11).
      return `Your access to “${n.trackTitle}” ended in Dropbox. It has left your library.`;
    case 'collaborator_access_ended_in_dropbox':
      return `${who} no longer has access to “${n.trackTitle}” — changed in Dropbox.`;
    case 'dropbox_reauth_required':
      return `Dropbox no longer accepts Producer Dashboard’s sign-in, so “${n.trackTitle}” can’t be updated in Dropbox. Sign in with Dropbox again.`;
    default:
      return `Update on “${n.trackTitle}”.`;
  }
}

/** Kinds announced with a browser notification: a track left my library, or someone left my track. */
export const ANNOUNCED_KINDS: ReadonlySet<Notification['kind']> = new Set([
  'access_revoked',
  'collaborator_left',
  'access_ended_in_dropbox',
  'collaborator_access_ended_in_dropbox',
  'invitation_received',
  'dropbox_reauth_required',
  // Issue 12: a heads-up and the reminders are said at once (there is a deadline to download the files).
  'heads_up',
  'access_expiring',
  'access_expired',
]);

const NOTIFICATION_TITLES: Partial<Record<Notification['kind'], string>> = {
  access_revoked: 'Access revoked',
  collaborator_left: 'A collaborator left',
  access_ended_in_dropbox: 'Access ended in Dropbox',
  collaborator_access_ended_in_dropbox: 'Access ended in Dropbox',
  dropbox_reauth_required: 'Sign in with Dropbox again',
  heads_up: 'Heads-up: access ends soon',
  access_expiring: 'Access ends soon',
  access_expired: 'Access expired',
};

export async function showBrowserNotification(n: Notification): Promise<void> {
  const title = NOTIFICATION_TITLES[n.kind] ?? 'Producer Dashboard';
  await browser.notifications.create(`pd:${n.id}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title,
    message: describeNotification(n),
  });
}

export async function setBadge(unread: number): Promise<void> {
  const text = unread <= 0 ? '' : unread > 99 ? '99+' : String(unread);
  await browser.action.setBadgeText({ text });
  if (text) await browser.action.setBadgeBackgroundColor({ color: '#C2410C' });
}
