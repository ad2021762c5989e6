// Downgrade to Viewer (and back to Editor): the gentler alternative to revoking. Owner only, active collaborators.
import { useApi } from '../components/api-context';
import { useRowAction } from '../components/use-row-action';
import { useUserGesture } from '../components/user-gesture';
import { planNote } from './dropbox-membership';
import type { CollaboratorFeatureProps } from './types';
import { t } from '../utils/i18n';

export const id = 'downgrade';

export function include({ ctx, collaborator }: CollaboratorFeatureProps): boolean {
  return ctx.detail.myRole === 'owner' && collaborator.status === 'active';
}

export function AccessLevelAction({ ctx, collaborator }: CollaboratorFeatureProps) {
  const api = useApi();
  const { busy, run } = useRowAction(ctx);
  const onUserGesture = useUserGesture();
  const toViewer = collaborator.accessLevel === 'editor';
  const name = collaborator.displayName;
  // Said before the owner acts: Dropbox Basic refuses view-only (PD would show Viewer, Dropbox keeps Editor).
  const note = toViewer ? planNote(ctx.detail.ownerPlan) : null;
  const change = () =>
    run(async () => {
      await api.setAccessLevel({
        trackId: ctx.detail.track.id,
        collaboratorId: collaborator.id,
        accessLevel: toViewer ? 'viewer' : 'editor',
      });
      ctx.notify(t(toViewer ? 'downgrade_done_viewer' : 'downgrade_done_editor', name, ctx.detail.track.title), 'ok');
      ctx.refresh();
    });
  return (
    <>
      <button type="button" class="pd-btn" onClick={onUserGesture(change)} disabled={busy}>
        {busy ? t('common_saving') : toViewer ? t('downgrade_to_viewer') : t('make_editor')}
      </button>
      {note && <span class="pd-small pd-muted">{note}</span>}
    </>
  );
}

export const Component = AccessLevelAction;
