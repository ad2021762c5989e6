// Revoke: the owner ends one collaborator's access to this track. The confirmation names the person and the track,
// says what happens, and offers Downgrade to Viewer as the gentler choice.
import { useState } from 'preact/hooks';
import { useApi } from '../components/api-context';
import { Alert, Dialog } from '../components/ui';
import { useRowAction } from '../components/use-row-action';
import { useUserGesture } from '../components/user-gesture';
import { HeadsUpAction } from './heads-up';
import type { CollaboratorFeatureProps } from './types';

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
    <Dialog title={`Revoke ${personName}'s access to “${trackTitle}”?`} onClose={onCancel} labelId="pd-revoke-title">
      {invited ? (
        <p>{personName} has not accepted yet: revoking cancels the invitation. They can be invited again later.</p>
      ) : (
        <>
          <p>Access ends immediately. On their next sync:</p>
          <ul>
            <li>
              “{trackTitle}” leaves {personName}'s Producer Dashboard library.
            </li>
            <li>The shared files are removed from {personName}'s Dropbox.</li>
            <li>Their comments and their past edits stay on the track.</li>
            <li>Their credits stay: name, role and splits remain on the track.</li>
            <li>{personName} is notified that their access was revoked.</li>
          </ul>
          <p class="pd-muted pd-small">There is no undo: to work together again, invite them again.</p>
        </>
      )}
      {dropboxGroup && (
        <Alert kind="warn">
          Dropbox keeps {personName}'s access through {dropboxGroup}: remove them from that group in Dropbox too.
        </Alert>
      )}
      {canDowngrade && (
        <Alert kind="info">
          Not sure? <strong>Downgrade to Viewer</strong> instead: {personName} keeps listening, downloading and commenting, but can no longer edit.
        </Alert>
      )}
      {error && <Alert kind="error">{error}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onCancel} disabled={busy} data-autofocus>
          Cancel
        </button>
        {canDowngrade && (
          <button type="button" class="pd-btn" onClick={onUserGesture(onDowngrade)} disabled={busy}>
            Downgrade to Viewer
          </button>
        )}
        {onHeadsUp && (
          <button type="button" class="pd-btn" onClick={onUserGesture(onHeadsUp)} disabled={busy}>
            Give a heads-up first
          </button>
        )}
        <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(onRevoke)} disabled={busy}>
          {busy ? 'Revoking…' : invited ? 'Cancel invitation' : 'Revoke access'}
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
      ctx.notify(
        res.changed ? `${name}'s access to “${title}” was revoked. They will be notified.` : `${name}'s access to “${title}” had already ended.`,
        res.changed ? 'ok' : 'warn',
      );
      ctx.refresh();
    }, close);
  const downgrade = () =>
    run(async () => {
      await api.setAccessLevel({ trackId: ctx.detail.track.id, collaboratorId: collaborator.id, accessLevel: 'viewer' });
      setOpen(false);
      ctx.notify(`${name} is now a Viewer on “${title}”.`, 'ok');
      ctx.refresh();
    }, close);

  return (
    <>
      <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(() => setOpen(true))} aria-label={`Revoke ${name}`}>
        Revoke
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
