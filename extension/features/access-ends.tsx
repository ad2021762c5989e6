// The collaborator's side of an expiry or heads-up (issue 12): when their access ends, the owner's note, and the
// same "download the files" offer the Leave dialog makes.
import { Alert } from '../components/ui';
import { when } from '../background/notify';
import { DownloadOffer } from './download-offer';
import type { TrackFeatureProps } from './types';
import { t } from '../utils/i18n';

export const id = 'access-ends';

export function include({ ctx }: TrackFeatureProps): boolean {
  return ctx.detail.myRole !== 'owner' && !!ctx.detail.myAccessEndsAt;
}

export function AccessEnds({ ctx }: TrackFeatureProps) {
  const { detail } = ctx;
  const headsUp = detail.myHeadsUp ?? null;
  return (
    <Alert kind="warn">
      <div data-access-ends={detail.myAccessEndsAt ?? ''}>
        {headsUp ? <strong>{t('access_ends_heads_up_from', detail.track.ownerName)} </strong> : null}
        {t('access_ends_yours', detail.track.title, when(detail.myAccessEndsAt))}
        {headsUp?.note && <blockquote class="pd-note">{headsUp.note}</blockquote>}
      </div>
      <DownloadOffer ctx={ctx} />
    </Alert>
  );
}

export const Component = AccessEnds;
