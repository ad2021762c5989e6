// Invite again: after a revoke, a leave or a declined invitation, the owner shares the track with the same person
// as they normally would. It is not an undo: a new invitation is sent and they must accept it; their credits stay.
import { useState } from 'preact/hooks';
import { useApi } from '../components/api-context';
import { accessText, Alert, Dialog } from '../components/ui';
import { useRowAction } from '../components/use-row-action';
import { useUserGesture } from '../components/user-gesture';
import { planNote } from './dropbox-membership';
import type { CollaboratorFeatureProps } from './types';

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
        ctx.notify(`${name} was invited again to “${title}”. They will have access once they accept.`, 'ok');
        ctx.refresh();
      },
      () => setOpen(false),
    );

  return (
    <>
      <button type="button" class="pd-btn" onClick={onUserGesture(() => setOpen(true))} aria-label={`Invite ${name} again`}>
        Invite again
      </button>
      {open && (
        <Dialog title={`Invite ${name} again to “${title}”?`} onClose={() => setOpen(false)} labelId="pd-invite-again-title">
          <ul>
            <li>
              A new invitation is sent to {name} ({collaborator.email}) as {accessText(collaborator.accessLevel)}.
            </li>
            <li>{name} gets access again only after they accept it.</li>
            <li>Their credits stay: name, role and splits remain on the track.</li>
          </ul>
          {collaborator.accessLevel === 'viewer' && planNote(ctx.detail.ownerPlan) && (
            <Alert kind="warn">Dropbox Basic can't add view-only members: invite {name} as a Viewer and Dropbox will not add them.</Alert>
          )}
          <div class="pd-dialog-actions">
            <button type="button" class="pd-btn" onClick={() => setOpen(false)} disabled={busy} data-autofocus>
              Cancel
            </button>
            <button type="button" class="pd-btn pd-btn-primary" onClick={onUserGesture(invite)} disabled={busy}>
              {busy ? 'Sending…' : 'Send invitation'}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

export const Component = InviteAgainAction;
