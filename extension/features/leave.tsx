// Leave Track: a collaborator removes a shared track from their own library (and its files from their Dropbox).
// The confirmation warns about the files, offers to download them first, and offers the alternatives.
import { useState } from 'preact/hooks';
import { useApi } from '../components/api-context';
import { Alert, Dialog, roleText } from '../components/ui';
import { useRowAction } from '../components/use-row-action';
import { useUserGesture } from '../components/user-gesture';
import { DownloadOffer } from './download-offer';
import { LeaveAlternatives } from './leave-alternatives';
import type { TrackContext, TrackFeatureProps } from './types';
import { t } from '../utils/i18n';

export const id = 'leave';

export function include({ ctx }: TrackFeatureProps): boolean {
  return ctx.detail.myRole !== 'owner';
}

export function LeaveConfirmation({
  ctx,
  busy,
  error,
  onLeave,
  onCancel,
  onAlternativeDone,
}: {
  ctx: TrackContext;
  busy: boolean;
  error: string | null;
  onLeave: () => void;
  onCancel: () => void;
  onAlternativeDone: (message: string) => void;
}) {
  const { detail } = ctx;
  const onUserGesture = useUserGesture();
  const title = detail.track.title;
  return (
    <Dialog title={t('leave_title', title)} onClose={onCancel} labelId="pd-leave-title">
      <Alert kind="warn">
        <strong>{t('leave_files_warning')}</strong> {t('leave_download_first')}
      </Alert>
      <DownloadOffer ctx={ctx} />
      <ul>
        <li>{t('leave_effect_library', title)}</li>
        <li>{t('leave_effect_comments', detail.track.ownerName)}</li>
        <li>{t('leave_effect_owner_sees', detail.track.ownerName)}</li>
        <li>{t('leave_effect_invite_again', detail.track.ownerName)}</li>
      </ul>
      <LeaveAlternatives ctx={ctx} onDone={onAlternativeDone} />
      {error && <Alert kind="error">{error}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onCancel} disabled={busy} data-autofocus>
          {t('common_cancel')}
        </button>
        <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(onLeave)} disabled={busy}>
          {busy ? t('leave_leaving') : t('leave_track')}
        </button>
      </div>
    </Dialog>
  );
}

export function LeaveAction({
  ctx,
  onLeft,
  initiallyOpen = false,
  onCancel,
}: TrackFeatureProps & { onLeft?: () => void; initiallyOpen?: boolean; onCancel?: () => void }) {
  const api = useApi();
  const [open, setOpen] = useState(initiallyOpen);
  const { busy, run } = useRowAction(ctx);
  const onUserGesture = useUserGesture();
  const title = ctx.detail.track.title;

  // One calm confirmation (issue 11): the view then shows this sentence alone, not a second "access ended" warning.
  const leave = () =>
    run(
      async () => {
        const res = await api.leave({ trackId: ctx.detail.track.id });
        setOpen(false);
        if (res.status === 'revoked') {
          ctx.notify(t('leave_already_revoked', ctx.detail.track.ownerName, title), 'ok');
        } else {
          ctx.notify(res.changed ? t('leave_done', title, ctx.detail.track.ownerName) : t('leave_already_left', title), 'ok');
        }
        onLeft?.();
        ctx.refresh();
      },
      () => setOpen(false),
    );

  return (
    <>
      <span class="pd-sub">{t('leave_you_are', roleText(ctx.detail.myRole), ctx.detail.track.ownerName)}</span>
      <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(() => setOpen(true))}>
        {t('leave_track')}
      </button>
      {open && (
        <LeaveConfirmation
          ctx={ctx}
          busy={busy}
          error={null}
          onLeave={leave}
          onCancel={() => {
            setOpen(false);
            onCancel?.();
          }}
          onAlternativeDone={(message) => {
            setOpen(false);
            ctx.notify(message, 'ok');
            ctx.refresh();
          }}
        />
      )}
    </>
  );
}

export const Component = LeaveAction;
