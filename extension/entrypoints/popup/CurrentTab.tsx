// "This tab": the track of the Dropbox folder in the active tab, with the same controls as the injected panel.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useApi } from '../../components/api-context';
import { TrackView } from '../../components/TrackView';
import { Alert, roleText, Spinner } from '../../components/ui';
import { folderDownloadUrl, isTrackCandidate, parseDropboxUrl, type DropboxFolderLocation } from '../../dropbox-page/url';
import type { TrackContext } from '../../features/types';
import { errorMessage, type PathResolution } from '../../utils/messaging';
import { useLiveDetail } from '../../components/use-live-detail';
import type { ComponentChildren } from 'preact';
import type { TrackDetail } from '@pd/shared';
import { concerns, useLivePush } from '../../components/live-context';

export function CurrentTab({ getActiveUrl }: { getActiveUrl: () => Promise<string | null> }) {
  const api = useApi();
  const [location, setLocation] = useState<DropboxFolderLocation | null | undefined>(undefined);
  const [resolution, setResolution] = useState<PathResolution | null>(null);
  const [notice, setNotice] = useState<{ message: string; kind: 'ok' | 'warn' | 'error' } | null>(null);

  const lookup = useCallback(
    async (loc: DropboxFolderLocation, fresh: boolean) => {
      try {
        setResolution(await api.resolvePath({ path: loc.folderPath, fresh }));
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
      });
  }, [getActiveUrl, lookup]);

  if (location === undefined) return <Spinner label="Looking at the current tab…" />;
  if (location === null)
    return <p class="pd-muted">Open a track's folder on dropbox.com to see it here, or look at My tracks.</p>;
  if (!resolution) return <Spinner label="Looking up this folder in Producer Dashboard…" />;

  const noticeEl = notice && <Alert kind={notice.kind}>{notice.message}</Alert>;
  switch (resolution.state) {
    case 'not_track':
      return <p class="pd-muted">The folder in this tab is not a Producer Dashboard track.</p>;
    case 'signed_out':
      return <p class="pd-muted">Sign in to see this track.</p>;
    case 'access_ended':
      return (
        <>
          {noticeEl}
          <Alert kind="warn">Your access to this track has ended. {resolution.message}</Alert>
        </>
      );
    case 'unreachable':
    case 'error':
      return (
        <Alert kind="error">
          {resolution.message}
          <button type="button" class="pd-btn" onClick={() => void lookup(location, true)}>
            Retry
          </button>
        </Alert>
      );
    case 'track':
      return (
        <CurrentTrack
          location={location}
          detail={resolution.detail}
          notice={noticeEl}
          onRefresh={() => void lookup(location, true)}
          notify={setNotice}
        />
      );
  }
}

function CurrentTrack({
  location,
  detail,
  notice,
  onRefresh,
  notify,
}: {
  location: DropboxFolderLocation;
  detail: TrackDetail;
  notice: ComponentChildren;
  onRefresh: () => void;
  notify: (n: { message: string; kind: 'ok' | 'warn' | 'error' }) => void;
}) {
  const live = useLiveDetail(detail, useApi());
  const ctx: TrackContext = {
    detail: live,
    folder: { path: location.folderPath, url: location.folderUrl, downloadUrl: folderDownloadUrl(location.folderPath, location.origin) },
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
      <TrackView ctx={ctx} />
    </div>
  );
}
