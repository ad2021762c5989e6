// Browser notifications and the toolbar badge.
import { browser } from 'wxt/browser';
import type { Notification } from '@pd/shared';
import { formatDateTime, formatNumber, type MessageKey, t, tn } from '../utils/i18n';

/** A date-time as the reader's browser writes it, in the browser's language. */
export function when(iso: string | null | undefined): string {
  if (!iso) return t('common_unknown_date');
  return formatDateTime(iso);
}

/** The sentence a PD notification stands for, as the user reads it. */
export function describeNotification(n: Pick<Notification, 'kind' | 'trackTitle' | 'actor' | 'via' | 'notice' | 'headsUp'>): string {
  const who = n.actor.name || t('hist_someone');
  const inDropbox = n.via === 'dropbox';
  const title = n.trackTitle;
  const withNote = (text: string, note: string | null | undefined) => (note ? t('ntf_with_note', text, note) : text);
  switch (n.kind) {
    case 'access_revoked':
      return t(inDropbox ? 'ntf_access_revoked_dropbox' : 'ntf_access_revoked', who, title);
    case 'collaborator_left':
      return t(inDropbox ? 'ntf_left_dropbox' : 'ntf_left', who, title);
    case 'invitation_received':
      return t('ntf_invited', who, title);
    case 'invitation_accepted':
      return t('ntf_accepted', who, title);
    case 'invitation_declined':
      return t('ntf_declined', who, title);
    case 'access_level_changed':
      return t('ntf_level_changed', who, title);
    case 'access_expiry_set':
      return n.notice?.accessEndsAt ? t('ntf_expiry_set', who, title, when(n.notice.accessEndsAt)) : t('ntf_expiry_removed', who, title);
    case 'access_expiring':
      return t(n.notice?.reminder === '1_day' ? 'ntf_expiring_1_day' : 'ntf_expiring_3_days', title, when(n.notice?.accessEndsAt));
    case 'heads_up':
      return withNote(t('ntf_heads_up', who, title, when(n.headsUp?.accessEndsAt ?? n.notice?.accessEndsAt)), n.headsUp?.note);
    case 'heads_up_cancelled':
      return t('ntf_heads_up_cancelled', who, title);
    case 'access_expired':
      return n.notice?.collaborator
        ? t(n.notice.endedBy === 'heads_up' ? 'ntf_expired_collaborator_heads_up' : 'ntf_expired_collaborator', n.notice.collaborator, title)
        : withNote(t(n.notice?.endedBy === 'heads_up' ? 'ntf_expired_heads_up' : 'ntf_expired', title), n.headsUp?.note);
    case 'stale_access_digest': {
      const d = n.notice?.digest;
      return d
        ? t('ntf_digest', tn('ntf_digest_people', d.people), tn('unreleased_tracks_count', d.tracks), formatNumber(d.idleDays))
        : t('ntf_digest_vague');
    }
    case 'access_ended_in_dropbox':
      // Dropbox did not say who ended it: no name, no guess (issue 11).
      return t('ntf_ended_in_dropbox', title);
    case 'collaborator_access_ended_in_dropbox':
      return t('ntf_collaborator_ended_in_dropbox', who, title);
    case 'dropbox_reauth_required':
      return t('ntf_reauth', title);
    default:
      return t('ntf_update', title);
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

const NOTIFICATION_TITLES: Partial<Record<Notification['kind'], MessageKey>> = {
  access_revoked: 'ntf_title_revoked',
  collaborator_left: 'ntf_title_left',
  access_ended_in_dropbox: 'ntf_title_ended_in_dropbox',
  collaborator_access_ended_in_dropbox: 'ntf_title_ended_in_dropbox',
  dropbox_reauth_required: 'ntf_title_reauth',
  heads_up: 'ntf_title_heads_up',
  access_expiring: 'ntf_title_expiring',
  access_expired: 'ntf_title_expired',
};

export async function showBrowserNotification(n: Notification): Promise<void> {
  const key = NOTIFICATION_TITLES[n.kind];
  const title = key ? t(key) : t('app_name');
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
