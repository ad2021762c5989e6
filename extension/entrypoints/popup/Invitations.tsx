// Invitations waiting for my answer, at the top of Notifications: Accept (the track enters "Shared with me" at once)
// or Decline (after a one-line confirmation).
import { useState } from 'preact/hooks';
import type { Invitation } from '@pd/shared';
import { useApi } from '../../components/api-context';
import { accessText, Alert } from '../../components/ui';
import { useLoad } from '../../components/use-action';
import { errorMessage } from '../../utils/messaging';
import { useLivePush } from '../../components/live-context';

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
        setMessage({ kind: 'ok', text: `You accepted “${inv.trackTitle}”. It is in My tracks → Shared with me.` });
      } else {
        await api.declineInvitation({ invitationId: inv.id });
        setMessage({ kind: 'ok', text: `You declined the invitation to “${inv.trackTitle}”. ${inv.invitedBy.name} is told.` });
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

  if (loadError) return <Alert kind="error">Invitations could not be loaded: {loadError}</Alert>;
  if (!items) return null;
  return (
    <section aria-label="Invitations" style={{ marginBottom: '8px' }}>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      {items.length > 0 && (
        <ul class="pd-list" aria-label="Pending invitations">
          {items.map((inv) => (
            <li key={inv.id} class="pd-card pd-unread" data-invitation-id={inv.id} aria-label={`Invitation to ${inv.trackTitle}`}>
              <div>
                <strong>{inv.invitedBy.name}</strong> invited you to “{inv.trackTitle}” as {accessText(inv.accessLevel)}.
              </div>
              {confirmDecline === inv.id ? (
                <div class="pd-card-row pd-small">
                  <span style={{ flex: 1 }}>
                    Decline “{inv.trackTitle}”? {inv.invitedBy.name} will be told.
                  </span>
                  <button type="button" class="pd-btn" disabled={busy !== null} onClick={() => setConfirmDecline(null)}>
                    Cancel
                  </button>
                  <button type="button" class="pd-btn pd-btn-danger" disabled={busy !== null} onClick={() => void answer(inv, false)}>
                    {busy === inv.id ? 'Declining…' : 'Yes, decline'}
                  </button>
                </div>
              ) : (
                <div class="pd-card-row pd-small">
                  <span style={{ flex: 1 }} />
                  <button type="button" class="pd-btn" disabled={busy !== null} onClick={() => setConfirmDecline(inv.id)}>
                    Decline
                  </button>
                  <button type="button" class="pd-btn pd-btn-primary" disabled={busy !== null} onClick={() => void answer(inv, true)}>
                    {busy === inv.id ? 'Accepting…' : 'Accept'}
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
