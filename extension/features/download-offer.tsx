// "Download the files first": Dropbox's own Download button when the page has one, else the folder's download link,
// else where to find it. Offered by the Leave dialog and by a heads-up or expiry (issue 12).
import type { TrackContext } from './types';
import { t, tNodes } from '../utils/i18n';

export function DownloadOffer({ ctx }: { ctx: TrackContext }) {
  const { detail, folder, clickDropboxDownload } = ctx;
  const title = detail.track.title;
  return (
    <p class="pd-field">
      {clickDropboxDownload ? (
        <button type="button" class="pd-btn" onClick={() => clickDropboxDownload()}>
          {t('download_first')}
        </button>
      ) : folder ? (
        <a class="pd-btn" href={folder.downloadUrl} target="_blank" rel="noopener">
          {t('download_first')}
        </a>
      ) : (
        <span class="pd-small">
          {tNodes(
            'download_open_in',
            title,
            <a key="dropbox" href="https://www.dropbox.com/home" target="_blank" rel="noopener">
              {t('download_your_dropbox')}
            </a>,
          )}
        </span>
      )}
    </p>
  );
}
