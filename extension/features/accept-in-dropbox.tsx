// A collaborator who accepted in PD while the shared folder is not in their Dropbox yet (PD could not add it for
// them, e.g. their Dropbox link needs a new sign-in): say plainly that they accept the invitation in Dropbox too.
import { Alert } from '../components/ui';
import type { TrackFeatureProps } from './types';
import { t } from '../utils/i18n';

export const id = 'accept-in-dropbox';

export function include({ ctx }: TrackFeatureProps): boolean {
  return ctx.detail.myRole !== 'owner' && ctx.detail.myDropboxState === 'invited';
}

export function AcceptInDropbox(_: TrackFeatureProps) {
  return <Alert kind="warn">{t('accept_in_dropbox')}</Alert>;
}

export const Component = AcceptInDropbox;
