// Dropbox change pending / failed: PD acts at once, Dropbox follows from the worker's queue. While Dropbox has not
// caught up the user sees it; a failed change can be retried.
import type { DropboxChangeSummary } from '@pd/shared';
import { useApi } from '../components/api-context';
import { Alert } from '../components/ui';
import { useAction } from '../components/use-action';
import { useUserGesture } from '../components/user-gesture';
import { dropboxFailureSentence } from './dropbox-errors';
import type { TrackContext } from './types';
import { t } from '../utils/i18n';

export const id = 'dropbox-changes';

/** What the change does, said from the point of view of whoever is looking (owner, or the collaborator). */
export function changeText(kind: DropboxChangeSummary['kind'], mine: boolean): string {
  switch (kind) {
    case 'remove_member':
      return mine ? t('change_remove_member_mine') : t('change_remove_member');
    case 'relinquish':
      return mine ? t('change_remove_member_mine') : t('change_relinquish');
    case 'update_access':
      return mine ? t('change_update_access_mine') : t('change_update_access');
    case 'add_member':
      return mine ? t('change_add_mine') : t('change_add_member');
    case 'mount_folder':
      return mine ? t('change_add_mine') : t('change_mount');
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
      ctx.notify(t('change_retrying'), 'ok');
      ctx.refresh();
    });
  if (change.status === 'failed') {
    const mine = ctx.detail.myRole !== 'owner';
    const person = mine ? 'you' : (ctx.detail.collaborators.find((c) => c.id === change.collaboratorId)?.displayName ?? t('person_this'));
    const actorIsCollaborator = change.kind === 'relinquish' || change.kind === 'mount_folder';
    const actor = actorIsCollaborator ? person : mine ? ctx.detail.track.ownerName : 'you';
    return (
      <Alert kind="error">
        <span>{t('change_failed', text, dropboxFailureSentence(change.lastError, { person, actor, mine }))}</span>{' '}
        <button type="button" class="pd-btn" onClick={onUserGesture(retry)} disabled={busy}>
          {busy ? t('common_retrying') : t('common_retry')}
        </button>
        {error && <div>{error}</div>}
      </Alert>
    );
  }
  return <Alert kind="warn">{t('change_pending', text)}</Alert>;
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
