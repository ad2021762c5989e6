// "This tab": the track of the Dropbox folder in the active tab, with the same controls as the injected panel.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useApi } from '../../components/api-context';
import { TrackView } from '../../components/TrackView';
import { Alert, roleText, Spinner } from '../../components/ui';
import { downloadUrlOf, isTrackCandidate, parseDropboxUrl, type DropboxFolderLocation } from '../../dropbox-page/url';
import type { TrackContext } from '../../features/types';
import { errorMessage, type PanelStatus, type PathResolution } from '../../utils/messaging';
import { useLiveDetail } from '../../components/use-live-detail';
import type { ComponentChildren } from 'preact';
import type { TrackDetail } from '@pd/shared';
import { concerns, useLivePush } from '../../components/live-context';
import { t } from '../../utils/i18n';

export function CurrentTab({ getActiveUrl }: { getActiveUrl: () => Promise<string | null> }) {
  const api = useApi();
  const [location, setLocation] = useState<DropboxFolderLocation | null | undefined>(undefined);
  const [resolution, setResolution] = useState<PathResolution | null>(null);
  const [notice, setNotice] = useState<{ message: string; kind: 'ok' | 'warn' | 'error' } | null>(null);
  /** What the tab's content script reported about its panel (undefined: not asked yet). */
  const [panel, setPanel] = useState<PanelStatus | null | undefined>(undefined);

  const lookup = useCallback(
    async (loc: DropboxFolderLocation, fresh: boolean) => {
      try {
        setResolution(await api.resolvePath({ path: loc.folderPath, webPath: loc.webPath, fresh }));
      } catch (err) {
        setResolution({ state: 'error', message: errorMessage(err) });
      }
    },
    [api],
  );

  // A push about this track (or a reconnect): re-read it. Its detail is never cached, so this is the fresh state.
  useLivePush((trackIds) => {
    if (location && concerns(trackIds, resolution?.state === 'track' ? resolution.detail.track.id : null)) void lookup(location, false);
  });

  useEffect(() => {
    void getActiveUrl()
      .catch(() => null)
      .then((url) => {
        const loc = url ? parseDropboxUrl(url) : null;
        setLocation(isTrackCandidate(loc) ? loc : null);
        if (isTrackCandidate(loc)) void lookup(loc, false);
        if (url && isTrackCandidate(loc)) {
          api.getPanelStatus({ url }).then(setPanel, () => setPanel(null));
        }
      });
  }, [getActiveUrl, lookup, api]);

  if (location === undefined) return <Spinner label={t('current_looking')} />;
  if (location === null) return <p class="pd-muted">{t('current_open_folder')}</p>;
  if (!resolution) return <Spinner label={t('panel_looking_up')} />;
  return (
    <>
      <PanelPlace status={panel} />
      {body(location, resolution)}
    </>
  );

  function body(location: DropboxFolderLocation, resolution: PathResolution) {
    const noticeEl = notice && <Alert kind={notice.kind}>{notice.message}</Alert>;
    switch (resolution.state) {
      case 'not_track':
        return <p class="pd-muted">{t('current_not_track')}</p>;
      case 'signed_out':
        return <p class="pd-muted">{t('current_sign_in')}</p>;
      case 'access_ended':
        // After the person's own Leave: that one calm sentence, not a second box repeating it.
        return notice && notice.kind !== 'error' ? (
          noticeEl
        ) : (
          <>
            {noticeEl}
            <Alert kind="info">{resolution.message}</Alert>
          </>
        );
      case 'unreachable':
      case 'error':
        return (
          <Alert kind="error">
            {resolution.message}
            <button type="button" class="pd-btn" onClick={() => void lookup(location, true)}>
              {t('common_retry')}
            </button>
          </Alert>
        );
      case 'track':
        return (
          <CurrentTrack
            location={location}
            detail={resolution.detail}
            unsharedInDropbox={resolution.unsharedInDropbox ?? false}
            notice={noticeEl}
            onRefresh={() => void lookup(location, true)}
            notify={setNotice}
          />
        );
    }
  }
}

/** Where the panel is on the tab's page, as its content script reported (issue 9 item 7): a floating panel or none
 *  at all means Dropbox's page changed (or the script did not run), and users and maintainers should see that. */
function PanelPlace({ status }: { status: PanelStatus | null | undefined }) {
  if (status === undefined) return null;
  if (status === null) {
    return (
      <p class="pd-muted" data-testid="panel-place">
        {t('current_no_panel')}
      </p>
    );
  }
  if (status.placement === 'header') {
    return (
      <p class="pd-muted" data-testid="panel-place">
        {status.message}
      </p>
    );
  }
  return (
    <Alert kind="warn">
      <span data-testid="panel-place">{status.message}</span>
    </Alert>
  );
}

function CurrentTrack({
  location,
  detail,
  notice,
  onRefresh,
  notify,
  unsharedInDropbox,
}: {
  location: DropboxFolderLocation;
  detail: TrackDetail;
  unsharedInDropbox: boolean;
  notice: ComponentChildren;
  onRefresh: () => void;
  notify: (n: { message: string; kind: 'ok' | 'warn' | 'error' }) => void;
}) {
  const live = useLiveDetail(detail, useApi());
  const ctx: TrackContext = {
    detail: live,
    folder: { path: location.folderPath, url: location.folderUrl, downloadUrl: downloadUrlOf(location) },
    refresh: onRefresh,
    notify: (message, kind = 'ok') => notify({ message, kind }),
  };
  return (
    <div data-testid="current-track">
      <div class="pd-card-row">
        <strong>{live.track.title}</strong>
        <span class="pd-chip">{roleText(live.myRole)}</span>
      </div>
      {notice}
      <TrackView ctx={ctx} unsharedInDropbox={unsharedInDropbox} />
    </div>
  );
}
