// Invitations waiting for my answer, at the top of Notifications: Accept (the track enters "Shared with me" at once)
// or Decline (after a one-line confirmation).
import { useState } from 'preact/hooks';
import type { Invitation } from '@pd/shared';
import { useApi } from '../../components/api-context';
import { accessText, Alert } from '../../components/ui';
import { useLoad } from '../../components/use-action';
import { errorMessage } from '../../utils/messaging';
import { useLivePush } from '../../components/live-context';
import { t, tNodes } from '../../utils/i18n';

export function Invitations({ onAnswered }: { onAnswered: () => void }) {
  const api = useApi();
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmDecline, setConfirmDecline] = useState<string | null>(null);

  const {
    data: items,
    error: loadError,
    reload: load,
  } = useLoad(async () => (await api.getInvitations()).invitations.filter((i) => i.status === 'pending'), [api]);
  useLivePush(() => void load());

  const answer = async (inv: Invitation, accept: boolean) => {
    setBusy(inv.id);
    setMessage(null);
    try {
      if (accept) {
        await api.acceptInvitation({ invitationId: inv.id });
        setMessage({ kind: 'ok', text: t('inv_accepted', inv.trackTitle) });
      } else {
        await api.declineInvitation({ invitationId: inv.id });
        setMessage({ kind: 'ok', text: t('inv_declined', inv.trackTitle, inv.invitedBy.name) });
      }
      setConfirmDecline(null);
      onAnswered();
    } catch (err) {
      setMessage({ kind: 'error', text: errorMessage(err) });
      setConfirmDecline(null);
    } finally {
      setBusy(null);
      await load();
    }
  };

  if (loadError) return <Alert kind="error">{t('inv_load_failed', loadError)}</Alert>;
  if (!items) return null;
  return (
    <section aria-label={t('inv_section')} style={{ marginBottom: '8px' }}>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      {items.length > 0 && (
        <ul class="pd-list" aria-label={t('inv_pending')}>
          {items.map((inv) => (
            <li key={inv.id} class="pd-card pd-unread" data-invitation-id={inv.id} aria-label={t('inv_item_label', inv.trackTitle)}>
              <div>{tNodes('inv_invited_you', <strong key="who">{inv.invitedBy.name}</strong>, inv.trackTitle, accessText(inv.accessLevel))}</div>
              {confirmDecline === inv.id ? (
                <div class="pd-card-row pd-small">
                  <span style={{ flex: 1 }}>{t('inv_decline_confirm', inv.trackTitle, inv.invitedBy.name)}</span>
                  <button type="button" class="pd-btn" disabled={busy !== null} onClick={() => setConfirmDecline(null)}>
                    {t('common_cancel')}
                  </button>
                  <button type="button" class="pd-btn pd-btn-danger" disabled={busy !== null} onClick={() => void answer(inv, false)}>
                    {busy === inv.id ? t('inv_declining') : t('inv_yes_decline')}
                  </button>
                </div>
              ) : (
                <div class="pd-card-row pd-small">
                  <span style={{ flex: 1 }} />
                  <button type="button" class="pd-btn" disabled={busy !== null} onClick={() => setConfirmDecline(inv.id)}>
                    {t('inv_decline')}
                  </button>
                  <button type="button" class="pd-btn pd-btn-primary" disabled={busy !== null} onClick={() => void answer(inv, true)}>
                    {busy === inv.id ? t('inv_accepting') : t('inv_accept')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
