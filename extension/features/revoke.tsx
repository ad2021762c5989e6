// Revoke: the owner ends one collaborator's access to this track. The confirmation names the person and the track,
// says what happens, and offers Downgrade to Viewer as the gentler choice.
import { useState } from 'preact/hooks';
import { useApi } from '../components/api-context';
import { Alert, Dialog } from '../components/ui';
import { useRowAction } from '../components/use-row-action';
import { useUserGesture } from '../components/user-gesture';
import { HeadsUpAction } from './heads-up';
import type { CollaboratorFeatureProps } from './types';
import { t, tNodes } from '../utils/i18n';

export const id = 'revoke';

export function include({ ctx, collaborator }: CollaboratorFeatureProps): boolean {
  return ctx.detail.myRole === 'owner' && (collaborator.status === 'active' || collaborator.status === 'invited');
}

export function RevokeConfirmation({
  personName,
  trackTitle,
  invited,
  canDowngrade,
  dropboxGroup = null,
  busy,
  error,
  onRevoke,
  onDowngrade,
  onHeadsUp,
  onCancel,
}: {
  personName: string;
  trackTitle: string;
  invited: boolean;
  canDowngrade: boolean;
  /** A Dropbox group that also gives them access: Dropbox keeps that access. */
  dropboxGroup?: string | null;
  busy: boolean;
  error: string | null;
  onRevoke: () => void;
  onDowngrade: () => void;
  /** Issue 12: offer "Give a heads-up first" (active collaborators). */
  onHeadsUp?: (() => void) | null;
  onCancel: () => void;
}) {
  const onUserGesture = useUserGesture();
  return (
    <Dialog title={t('revoke_title', personName, trackTitle)} onClose={onCancel} labelId="pd-revoke-title">
      {invited ? (
        <p>{t('revoke_invited_body', personName)}</p>
      ) : (
        <>
          <p>{t('revoke_next_sync')}</p>
          <ul>
            <li>{t('revoke_effect_library', trackTitle, personName)}</li>
            <li>{t('revoke_effect_files', personName)}</li>
            <li>{t('revoke_effect_comments')}</li>
            <li>{t('revoke_effect_credits')}</li>
            <li>{t('revoke_effect_notified', personName)}</li>
          </ul>
          <p class="pd-muted pd-small">{t('revoke_no_undo')}</p>
        </>
      )}
      {dropboxGroup && <Alert kind="warn">{t('revoke_group_kept', personName, dropboxGroup)}</Alert>}
      {canDowngrade && <Alert kind="info">{tNodes('revoke_not_sure', <strong key="d">{t('downgrade_to_viewer')}</strong>, personName)}</Alert>}
      {error && <Alert kind="error">{error}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onCancel} disabled={busy} data-autofocus>
          {t('common_cancel')}
        </button>
        {canDowngrade && (
          <button type="button" class="pd-btn" onClick={onUserGesture(onDowngrade)} disabled={busy}>
            {t('downgrade_to_viewer')}
          </button>
        )}
        {onHeadsUp && (
          <button type="button" class="pd-btn" onClick={onUserGesture(onHeadsUp)} disabled={busy}>
            {t('give_heads_up_first')}
          </button>
        )}
        <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(onRevoke)} disabled={busy}>
          {busy ? t('revoke_revoking') : invited ? t('revoke_cancel_invitation') : t('revoke_access')}
        </button>
      </div>
    </Dialog>
  );
}

export function RevokeAction({ ctx, collaborator }: CollaboratorFeatureProps) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [headsUp, setHeadsUp] = useState(false);
  const { busy, run } = useRowAction(ctx);
  const onUserGesture = useUserGesture();
  const title = ctx.detail.track.title;
  const name = collaborator.displayName;
  const close = () => setOpen(false);

  const revoke = () =>
    run(async () => {
      const res = await api.revoke({ trackId: ctx.detail.track.id, collaboratorId: collaborator.id });
      setOpen(false);
      ctx.notify(res.changed ? t('revoke_done', name, title) : t('revoke_already', name, title), res.changed ? 'ok' : 'warn');
      ctx.refresh();
    }, close);
  const downgrade = () =>
    run(async () => {
      await api.setAccessLevel({ trackId: ctx.detail.track.id, collaboratorId: collaborator.id, accessLevel: 'viewer' });
      setOpen(false);
      ctx.notify(t('downgrade_done_viewer', name, title), 'ok');
      ctx.refresh();
    }, close);

  return (
    <>
      <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(() => setOpen(true))} aria-label={t('revoke_button_label', name)}>
        {t('revoke_button')}
      </button>
      {open && (
        <RevokeConfirmation
          personName={name}
          trackTitle={title}
          invited={collaborator.status === 'invited'}
          canDowngrade={collaborator.status === 'active' && collaborator.accessLevel === 'editor'}
          dropboxGroup={collaborator.dropbox?.group ?? null}
          busy={busy}
          error={null}
          onRevoke={revoke}
          onDowngrade={downgrade}
          onHeadsUp={
            collaborator.status === 'active'
              ? () => {
                  setOpen(false);
                  setHeadsUp(true);
                }
              : null
          }
          onCancel={() => setOpen(false)}
        />
      )}
      {headsUp && <HeadsUpAction ctx={ctx} collaborator={collaborator} initiallyOpen onClose={() => setHeadsUp(false)} />}
    </>
  );
}

export const Component = RevokeAction;
