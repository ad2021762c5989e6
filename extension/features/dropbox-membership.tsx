// What Dropbox itself says about a collaborator, when it is not (yet) what PD shows (issue 9), on the owner's row:
// - a Dropbox invitation not accepted yet: "Waiting for Leo to accept in Dropbox";
// - Dropbox Basic refused view-only: the truth (still Editor in Dropbox / not added) and a choice, not a Retry;
// - a Dropbox group that (also) gives access: Dropbox keeps it whatever PD does.
import type { Collaborator, DropboxPlan } from '@pd/shared';
import { useApi } from '../components/api-context';
import { Alert, accessText } from '../components/ui';
import { useRowAction } from '../components/use-row-action';
import type { CollaboratorFeatureProps } from './types';
import { t } from '../utils/i18n';

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
  // Also while invited: re-invited as a Viewer after a removal that failed, they are still an Editor in Dropbox.
  if ((c.status === 'active' || c.status === 'invited') && d.accessLevel && d.accessLevel !== c.accessLevel) return 'kept-level';
  if (c.status === 'active' && d.state === 'invited') return 'waiting';
  if (d.group && (c.status === 'active' || c.status === 'revoked')) return 'group';
  return null;
}

/** Said before the owner acts (Downgrade, Invite as Viewer). */
export function planNote(plan: DropboxPlan | null | undefined): string | null {
  return plan === 'basic' ? t('plan_note_basic') : null;
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
      return <Alert kind="info">{t('membership_waiting', name)}</Alert>;
    case 'not-added':
      return (
        <Alert kind="warn">
          {t('membership_not_added', name)}{' '}
          <button type="button" class="pd-btn" onClick={() => makeEditor(t('membership_invited_as_editor', name))} disabled={busy}>
            {busy ? t('common_saving') : t('membership_invite_as_editor')}
          </button>{' '}
          {t('membership_or_revoke_cancel')}
        </Alert>
      );
    case 'kept-level':
      return (
        <Alert kind="warn">
          {t('membership_kept_level', accessText(collaborator.accessLevel), accessText(d.accessLevel!))}{' '}
          <button type="button" class="pd-btn" onClick={() => makeEditor(t('membership_editor_too', name))} disabled={busy}>
            {busy ? t('common_saving') : t('membership_make_editor_too')}
          </button>{' '}
          {t('membership_or_revoke_end')}
        </Alert>
      );
    case 'group':
      return collaborator.status === 'revoked' ? (
        <Alert kind="warn">{t('membership_group_kept', name, d.group ?? '')}</Alert>
      ) : (
        <Alert kind="info">{t('membership_group_also', name, d.group ?? '')}</Alert>
      );
    default:
      return null;
  }
}

export const Component = DropboxMembership;
