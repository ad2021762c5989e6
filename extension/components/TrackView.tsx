// A track as the panel and the popup show it: the owner sees every collaborator (current and past, for credits)
// with their controls; a collaborator sees their role and Leave Track. Both see what was kept: comments and history.
import type { Collaborator, SplitTotals } from '@pd/shared';
import { collaboratorFeatures, trackFeatures } from '../features';
import { AccessHistory } from '../features/access-history';
import { DropboxChanges } from '../features/dropbox-changes';
import type { TrackContext } from '../features/types';
import { KeptHistory } from './KeptHistory';
import { formatPercent, t, tn } from '../utils/i18n';
import { accessText, Alert, FeatureBoundary, isCurrent, roleText, splitsText, StatusChip } from './ui';

/**
 * One person, in lines that stay readable at 360 px: name and status; role and access; splits; then the controls,
 * notes and access history, each a full line (never squeezed beside the name).
 */
function CollaboratorRow({ ctx, collaborator }: { ctx: TrackContext; collaborator: Collaborator }) {
  const features = collaboratorFeatures.filter((f) => f.include({ ctx, collaborator }));
  const owner = ctx.detail.myRole === 'owner';
  return (
    <li class="pd-person" data-collaborator-id={collaborator.id} data-focus-home={collaborator.id} aria-label={collaborator.displayName}>
      <div class="pd-person-head">
        <span class="pd-person-name">{collaborator.displayName}</span>
        <StatusChip collaborator={collaborator} />
      </div>
      <div class="pd-person-meta">
        {collaborator.role ?? <span class="pd-role-unset">{t('track_role_not_set')}</span>} · {accessText(collaborator.accessLevel)}
      </div>
      <div class="pd-person-meta">{splitsText(collaborator.splits)}</div>
      {features.length > 0 && (
        <div class="pd-actions pd-person-actions">
          {features.map((f) => (
            <FeatureBoundary id={f.id} key={f.id}>
              <f.Component ctx={ctx} collaborator={collaborator} />
            </FeatureBoundary>
          ))}
        </div>
      )}
      {owner && <DropboxChanges ctx={ctx} collaboratorId={collaborator.id} />}
      {owner && (
        <FeatureBoundary id="access-history">
          <AccessHistory ctx={ctx} collaborator={collaborator} />
        </FeatureBoundary>
      )}
    </li>
  );
}

function SplitWarnings({ totals }: { totals: SplitTotals }) {
  const over = (['master', 'publishing', 'writer'] as const).filter((k) => totals[k].overAllocated);
  if (over.length === 0) return null;
  return (
    <Alert kind="warn">
      {t('track_splits_over', over.map((k) => t('track_split_over_item', t(`split_${k}`), formatPercent(totals[k].total))).join(', '))}
    </Alert>
  );
}

export function TrackView({ ctx, unsharedInDropbox = false }: { ctx: TrackContext; unsharedInDropbox?: boolean }) {
  const { detail } = ctx;
  if (detail.myRole === 'owner') {
    const current = detail.collaborators.filter(isCurrent);
    const past = detail.collaborators.filter((c) => !isCurrent(c));
    return (
      <div class="pd-track" data-role="owner">
        {unsharedInDropbox && <Alert kind="info">{t('track_unshared_in_dropbox')}</Alert>}
        <div class="pd-sub">
          {t(
            'track_you_own',
            current.length === 0
              ? past.length > 0
                ? t('track_no_current_collaborators')
                : t('track_no_collaborators')
              : tn('collaborators_count', current.length),
          )}
        </div>
        <ul class="pd-people" aria-label={t('track_collaborators_label')}>
          {[...current, ...past].map((c) => (
            <CollaboratorRow key={c.id} ctx={ctx} collaborator={c} />
          ))}
        </ul>
        <DropboxChanges ctx={ctx} collaboratorId={null} />
        <SplitWarnings totals={detail.splitTotals} />
        <FeatureBoundary id="kept-history">
          <KeptHistory detail={detail} />
        </FeatureBoundary>
      </div>
    );
  }
  const features = trackFeatures.filter((f) => f.include({ ctx }));
  return (
    <div class="pd-track" data-role={detail.myRole}>
      <div class="pd-actions" style={{ justifyContent: 'space-between' }}>
        {features.map((f) => (
          <FeatureBoundary id={f.id} key={f.id}>
            <f.Component ctx={ctx} />
          </FeatureBoundary>
        ))}
      </div>
      <DropboxChanges ctx={ctx} />
      {detail.hidden && <p class="pd-small pd-muted">{t('track_hidden', roleText(detail.myRole))}</p>}
      <FeatureBoundary id="kept-history">
        <KeptHistory detail={detail} />
      </FeatureBoundary>
    </div>
  );
}
