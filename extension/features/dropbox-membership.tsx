// What Dropbox itself says about a collaborator, when it is not (yet) what PD shows (issue 9), on the owner's row:
// - a Dropbox invitation not accepted yet: "Waiting for Leo to accept in Dropbox";
// - Dropbox Basic refused view-only: the truth (still Editor in Dropbox / not added) and a choice, not a Retry;
// - a Dropbox group that (also) gives access: Dropbox keeps it whatever PD does.
import type { Collaborator, DropboxPlan } from '@pd/shared';
import { useApi } from '../components/api-context';
import { Alert, accessText } from '../components/ui';
import { useRowAction } from '../components/use-row-action';
import type { CollaboratorFeatureProps } from './types';

export const id = 'dropbox-membership';

export function include({ ctx, collaborator }: CollaboratorFeatureProps): boolean {
  return ctx.detail.myRole === 'owner' && dropboxFacts(collaborator) !== null;
}

type Fact = 'waiting' | 'not-added' | 'kept-level' | 'group';

/** Which Dropbox fact to show for this collaborator, if any. */
export function dropboxFacts(c: Collaborator): Fact | null {
  const d = c.dropbox;
  if (!d) return null;
  if (c.status === 'invited' && d.state === 'refused') return 'not-added';
  if (c.status === 'active' && d.accessLevel && d.accessLevel !== c.accessLevel) return 'kept-level';
  if (c.status === 'active' && d.state === 'invited') return 'waiting';
  if (d.group && (c.status === 'active' || c.status === 'revoked')) return 'group';
  return null;
}

/** Said before the owner acts (Downgrade, Invite as Viewer). */
export function planNote(plan: DropboxPlan | null | undefined): string | null {
  return plan === 'basic' ? "Dropbox Basic can't make someone view-only; they'd stay Editor in Dropbox." : null;
}

export function DropboxMembership({ ctx, collaborator }: CollaboratorFeatureProps) {
  const api = useApi();
  const { busy, run } = useRowAction(ctx);
  const name = collaborator.displayName;
  const makeEditor = (message: string) =>
    run(async () => {
      await api.setAccessLevel({ trackId: ctx.detail.track.id, collaboratorId: collaborator.id, accessLevel: 'editor' });
      ctx.notify(message, 'ok');
      ctx.refresh();
    });
  const fact = dropboxFacts(collaborator);
  const d = collaborator.dropbox!;
  switch (fact) {
    case 'waiting':
      return <Alert kind="info">Waiting for {name} to accept in Dropbox: the folder is not in their Dropbox yet.</Alert>;
    case 'not-added':
      return (
        <Alert kind="warn">
          Dropbox Basic can't add view-only members: {name} is not in the Dropbox folder.{' '}
          <button type="button" class="pd-btn" onClick={() => makeEditor(`${name} is invited as an Editor in Dropbox.`)} disabled={busy}>
            {busy ? 'Saving…' : 'Invite as Editor instead'}
          </button>{' '}
          (or Revoke to cancel the invitation)
        </Alert>
      );
    case 'kept-level':
      return (
        <Alert kind="warn">
          {accessText(collaborator.accessLevel)} in PD, but still {accessText(d.accessLevel!)} in Dropbox: Dropbox Basic can't make someone view-only.{' '}
          <button type="button" class="pd-btn" onClick={() => makeEditor(`${name} is an Editor in PD too.`)} disabled={busy}>
            {busy ? 'Saving…' : 'Make Editor in PD too'}
          </button>{' '}
          (or Revoke to end their access)
        </Alert>
      );
    case 'group':
      return collaborator.status === 'revoked' ? (
        <Alert kind="warn">
          Dropbox keeps {name}'s access through {d.group}: remove them from that group in Dropbox.
        </Alert>
      ) : (
        <Alert kind="info">
          {name} also has access through {d.group} in Dropbox; Dropbox keeps it if you revoke here.
        </Alert>
      );
    default:
      return null;
  }
}

export const Component = DropboxMembership;
