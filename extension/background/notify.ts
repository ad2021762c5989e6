// Browser notifications and the toolbar badge.
import { browser } from 'wxt/browser';
import type { Notification } from '@pd/shared';

/** The sentence a PD notification stands for, as the user reads it. */
export function describeNotification(n: Pick<Notification, 'kind' | 'trackTitle' | 'actor' | 'via'>): string {
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
]);

export async function showBrowserNotification(n: Notification): Promise<void> {
  const title =
    n.kind === 'access_revoked'
      ? 'Access revoked'
      : n.kind === 'collaborator_left'
        ? 'A collaborator left'
        : n.kind === 'access_ended_in_dropbox' || n.kind === 'collaborator_access_ended_in_dropbox'
          ? 'Access ended in Dropbox'
        : n.kind === 'dropbox_reauth_required'
          ? 'Sign in with Dropbox again'
          : 'Producer Dashboard';
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
