// Dropbox change pending / failed: PD acts at once, Dropbox follows from the worker's queue. While Dropbox has not
// caught up the user sees it; a failed change can be retried.
import type { DropboxChangeSummary } from '@pd/shared';
import { useApi } from '../components/api-context';
import { Alert } from '../components/ui';
import { useAction } from '../components/use-action';
import { useUserGesture } from '../components/user-gesture';
import { dropboxFailureSentence } from './dropbox-errors';
import type { TrackContext } from './types';

export const id = 'dropbox-changes';

/** What the change does, said from the point of view of whoever is looking (owner, or the collaborator). */
export function changeText(kind: DropboxChangeSummary['kind'], mine: boolean): string {
  switch (kind) {
    case 'remove_member':
      return mine ? 'removing the shared folder from your Dropbox' : 'removing them from the shared folder';
    case 'relinquish':
      return mine ? 'removing the shared folder from your Dropbox' : 'taking the shared folder out of their Dropbox';
    case 'update_access':
      return mine ? 'changing your access level' : 'changing their access level';
    case 'add_member':
      return mine ? 'adding the shared folder to your Dropbox' : 'adding them to the shared folder';
    case 'mount_folder':
      return mine ? 'adding the shared folder to your Dropbox' : 'adding the shared folder to their Dropbox';
  }
}

export function visibleChanges(changes: DropboxChangeSummary[], collaboratorId: string | null | undefined): DropboxChangeSummary[] {
  return changes.filter((c) => c.status !== 'done' && (collaboratorId === undefined || c.collaboratorId === collaboratorId));
}

function ChangeNote({ change, ctx }: { change: DropboxChangeSummary; ctx: TrackContext }) {
  const api = useApi();
  const { busy, error, run } = useAction();
  const onUserGesture = useUserGesture();
  const text = changeText(change.kind, ctx.detail.myRole !== 'owner');
  const retry = () =>
    run(async () => {
      await api.retryDropboxChange({ changeId: change.id });
      ctx.notify('Retrying the Dropbox change…', 'ok');
      ctx.refresh();
    });
  if (change.status === 'failed') {
    const mine = ctx.detail.myRole !== 'owner';
    const person = mine ? 'you' : (ctx.detail.collaborators.find((c) => c.id === change.collaboratorId)?.displayName ?? 'this person');
    const actorIsCollaborator = change.kind === 'relinquish' || change.kind === 'mount_folder';
    const actor = actorIsCollaborator ? person : mine ? ctx.detail.track.ownerName : 'you';
    return (
      <Alert kind="error">
        <span>
          Dropbox change failed ({text}). {dropboxFailureSentence(change.lastError, { person, actor, mine })}
        </span>{' '}
        <button type="button" class="pd-btn" onClick={onUserGesture(retry)} disabled={busy}>
          {busy ? 'Retrying…' : 'Retry'}
        </button>
        {error && <div>{error}</div>}
      </Alert>
    );
  }
  return <Alert kind="warn">Dropbox change pending: {text}…</Alert>;
}

export function DropboxChanges({ ctx, collaboratorId }: { ctx: TrackContext; collaboratorId?: string | null }) {
  const changes = visibleChanges(ctx.detail.dropboxChanges, collaboratorId);
  if (changes.length === 0) return null;
  return (
    <div class="pd-row-note">
      {changes.map((c) => (
        <ChangeNote key={c.id} change={c} ctx={ctx} />
      ))}
    </div>
  );
}

export const Component = DropboxChanges;
