// Invite again: after a revoke, a leave or a declined invitation, the owner shares the track with the same person
// as they normally would. It is not an undo: a new invitation is sent and they must accept it; their credits stay.
import { useState } from 'preact/hooks';
import { useApi } from '../components/api-context';
import { accessText, Alert, Dialog } from '../components/ui';
import { useRowAction } from '../components/use-row-action';
import { useUserGesture } from '../components/user-gesture';
import { planNote } from './dropbox-membership';
import type { CollaboratorFeatureProps } from './types';
import { t } from '../utils/i18n';

export const id = 'invite-again';

export function include({ ctx, collaborator }: CollaboratorFeatureProps): boolean {
  return ctx.detail.myRole === 'owner' && (collaborator.status === 'revoked' || collaborator.status === 'left' || collaborator.status === 'declined');
}

export function InviteAgainAction({ ctx, collaborator }: CollaboratorFeatureProps) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const { busy, run } = useRowAction(ctx);
  const onUserGesture = useUserGesture();
  const title = ctx.detail.track.title;
  const name = collaborator.displayName;

  const invite = () =>
    run(
      async () => {
        await api.invite({
          trackId: ctx.detail.track.id,
          email: collaborator.email,
          displayName: collaborator.displayName,
          role: collaborator.role,
          accessLevel: collaborator.accessLevel,
        });
        setOpen(false);
        ctx.notify(t('invite_again_done', name, title), 'ok');
        ctx.refresh();
      },
      () => setOpen(false),
    );

  return (
    <>
      <button type="button" class="pd-btn" onClick={onUserGesture(() => setOpen(true))} aria-label={t('invite_again_label', name)}>
        {t('invite_again')}
      </button>
      {open && (
        <Dialog title={t('invite_again_title', name, title)} onClose={() => setOpen(false)} labelId="pd-invite-again-title">
          <ul>
            <li>{t('invite_again_sent_to', name, collaborator.email, accessText(collaborator.accessLevel))}</li>
            <li>{t('invite_again_after_accept', name)}</li>
            <li>{t('revoke_effect_credits')}</li>
          </ul>
          {collaborator.accessLevel === 'viewer' && planNote(ctx.detail.ownerPlan) && (
            <Alert kind="warn">{t('invite_again_basic_viewer', name)}</Alert>
          )}
          <div class="pd-dialog-actions">
            <button type="button" class="pd-btn" onClick={() => setOpen(false)} disabled={busy} data-autofocus>
              {t('common_cancel')}
            </button>
            <button type="button" class="pd-btn pd-btn-primary" onClick={onUserGesture(invite)} disabled={busy}>
              {busy ? t('common_sending') : t('invite_again_send')}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

export const Component = InviteAgainAction;
