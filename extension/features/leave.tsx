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
    <Dialog title={`Leave “${title}”?`} onClose={onCancel} labelId="pd-leave-title">
      <Alert kind="warn">
        <strong>The shared files will be removed from your Dropbox.</strong> Download anything you need first.
      </Alert>
      <DownloadOffer ctx={ctx} />
      <ul>
        <li>“{title}” leaves your Producer Dashboard library.</li>
        <li>Your comments stay visible to {detail.track.ownerName} and the other collaborators.</li>
        <li>{detail.track.ownerName} sees that you left.</li>
        <li>{detail.track.ownerName} can invite you again later.</li>
      </ul>
      <LeaveAlternatives ctx={ctx} onDone={onAlternativeDone} />
      {error && <Alert kind="error">{error}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onCancel} disabled={busy} data-autofocus>
          Cancel
        </button>
        <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(onLeave)} disabled={busy}>
          {busy ? 'Leaving…' : 'Leave Track'}
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
          ctx.notify(`${ctx.detail.track.ownerName} had already revoked your access to “${title}”.`, 'ok');
        } else {
          ctx.notify(
            res.changed
              ? `You left “${title}”. Its files are being removed from your Dropbox; ${ctx.detail.track.ownerName} can invite you again.`
              : `You had already left “${title}”.`,
            'ok',
          );
        }
        onLeft?.();
        ctx.refresh();
      },
      () => setOpen(false),
    );

  return (
    <>
      <span class="pd-sub">
        You are {roleText(ctx.detail.myRole)} · shared by {ctx.detail.track.ownerName}
      </span>
      <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(() => setOpen(true))}>
        Leave Track
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
