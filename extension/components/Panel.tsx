// The PD panel injected into Dropbox's folder view (inside a shadow root). Shows every state a user must
// understand: loading, signed out, not a PD track, worker unreachable, access ended, and the track itself.
import { useState } from 'preact/hooks';
import type { TrackDetail } from '@pd/shared';
import { useLiveDetail } from './use-live-detail';
import type { DropboxFolderLocation } from '../dropbox-page/url';
import { downloadUrlOf } from '../dropbox-page/url';
import { placementMessage } from '../dropbox-page/placement-text';
import { messageLanguage, t } from '../utils/i18n';
import type { PathResolution } from '../utils/messaging';
import type { TrackContext } from '../features/types';
import { useApi } from './api-context';
import { TrackView } from './TrackView';
import { Alert, roleText, Spinner } from './ui';
import { useAction } from './use-action';

export interface PanelModel {
  location: DropboxFolderLocation;
  /** null while the lookup runs. */
  resolution: PathResolution | null;
}

export interface PanelProps {
  model: PanelModel;
  placement: 'header' | 'share' | 'floating';
  onRefresh: () => void;
  /** Clicks Dropbox's own Download button if the page has one; null when it has none. */
  clickDropboxDownload?: (() => boolean) | null;
  /** How often to re-read a track while a Dropbox change is pending (ms). */
  pollMs?: number;
}

type Notice = { message: string; kind: 'ok' | 'warn' | 'error' };

function SignedOut({ onSignedIn, reason }: { onSignedIn: () => void; reason?: string | undefined }) {
  const api = useApi();
  const { busy, error, run } = useAction();
  return (
    <div>
      {reason && <Alert kind="warn">{reason}</Alert>}
      <p class="pd-sub">{t('panel_sign_in_prompt')}</p>
      <button
        type="button"
        class="pd-btn pd-btn-primary"
        disabled={busy}
        onClick={() =>
          run(async () => {
            await api.signIn();
            onSignedIn();
          })
        }
      >
        {busy ? t('common_signing_in') : t('common_sign_in')}
      </button>
      {error && <Alert kind="error">{error}</Alert>}
    </div>
  );
}

function Body({ props, notify, notice }: { props: PanelProps; notify: (n: Notice) => void; notice: Notice | null }) {
  const { model, onRefresh } = props;
  const r = model.resolution;
  if (!r) return <Spinner label={t('panel_looking_up')} />;
  switch (r.state) {
    case 'signed_out':
      return <SignedOut onSignedIn={onRefresh} reason={r.message} />;
    case 'not_track':
      return <p class="pd-sub">{t('panel_not_track')}</p>;
    case 'unreachable':
      return (
        <Alert kind="error">
          {t('panel_unreachable', r.message ?? '')}
          <button type="button" class="pd-btn" onClick={onRefresh}>
            {t('common_retry')}
          </button>
        </Alert>
      );
    case 'access_ended':
      // Right after the person's own Leave the panel already says so, once: no second box repeating it.
      if (notice && notice.kind !== 'error') return null;
      return <Alert kind="info">{t('panel_access_ended', r.message ?? '')}</Alert>;
    case 'error':
      return (
        <Alert kind="error">
          {r.message}
          <button type="button" class="pd-btn" onClick={onRefresh}>
            {t('common_retry')}
          </button>
        </Alert>
      );
    case 'track':
      return <TrackBody props={props} detail={r.detail} notify={notify} unsharedInDropbox={r.unsharedInDropbox ?? false} />;
  }
}

function TrackBody({
  props,
  detail,
  notify,
  unsharedInDropbox,
}: {
  props: PanelProps;
  detail: TrackDetail;
  notify: (n: Notice) => void;
  unsharedInDropbox: boolean;
}) {
  const live = useLiveDetail(detail, useApi(), props.pollMs);
  const { model } = props;
  const ctx: TrackContext = {
    detail: live,
    folder: {
      path: model.location.folderPath,
      url: model.location.folderUrl,
      downloadUrl: downloadUrlOf(model.location),
    },
    clickDropboxDownload: props.clickDropboxDownload ?? null,
    refresh: props.onRefresh,
    notify: (message, kind = 'ok') => notify({ message, kind }),
  };
  return <TrackView ctx={ctx} unsharedInDropbox={unsharedInDropbox} />;
}

export function Panel(props: PanelProps) {
  const [notice, setNotice] = useState<Notice | null>(null);
  const [collapsed, setCollapsed] = useState(false);
  const r = props.model.resolution;
  const title = r?.state === 'track' ? r.detail.track.title : null;
  const role = r?.state === 'track' ? roleText(r.detail.myRole) : null;
  return (
    <section
      class="pd-panel"
      data-placement={props.placement}
      data-state={r?.state ?? 'loading'}
      aria-label={t('panel_label')}
      lang={messageLanguage()}
      data-focus-home="panel"
    >
      <div class="pd-panel-head">
        <span class="pd-logo" aria-hidden="true">
          PD
        </span>
        <h2 class="pd-title">{title ?? t('app_name')}</h2>
        {role && <span class="pd-chip">{role}</span>}
        <span class="pd-spacer" />
        {props.placement === 'floating' && (
          <button type="button" class="pd-btn pd-btn-quiet" onClick={() => setCollapsed(!collapsed)} aria-expanded={!collapsed}>
            {collapsed ? t('panel_show') : t('panel_hide')}
          </button>
        )}
      </div>
      {!collapsed && (
        <>
          {props.placement === 'floating' && (
            <p class="pd-sub" data-testid="pd-placement-note">
              {placementMessage('floating')}
            </p>
          )}
          {notice && (
            <Alert kind={notice.kind}>
              {notice.message}{' '}
              <button type="button" class="pd-link" onClick={() => setNotice(null)} aria-label={t('common_dismiss')}>
                ✕
              </button>
            </Alert>
          )}
          <Body props={props} notify={setNotice} notice={notice} />
        </>
      )}
    </section>
  );
}
