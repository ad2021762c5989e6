// "My tracks": the tracks I own (each opens the track view: people, credits, comments, history), the sharing panel
// grouped by collaborator with Revoke All, and the tracks shared with me, each with Leave.
import { useState } from 'preact/hooks';
import type { LibraryItem, SharingPerson, TrackDetail } from '@pd/shared';
import { useApi } from '../../components/api-context';
import { Alert, accessText, roleText, Spinner } from '../../components/ui';
import { LeaveAction } from '../../features/leave';
import { RevokeAllAction } from '../../features/revoke-all';
import type { TrackContext } from '../../features/types';
import { TrackView } from '../../components/TrackView';
import { useLoad } from '../../components/use-action';
import { errorMessage } from '../../utils/messaging';
import { useLivePush } from '../../components/live-context';
import { when } from '../../background/notify';
import { t, tn } from '../../utils/i18n';

interface Data {
  people: SharingPerson[];
  sharedWithMe: LibraryItem[];
  mine: LibraryItem[];
}

/** A track opened in the popup: the same track view as the panel (people, controls, comments, history). */
function OpenTrack({ trackId, onClose, notify }: { trackId: string; onClose: () => void; notify: TrackContext['notify'] }) {
  const api = useApi();
  const { data: detail, error, reload } = useLoad<TrackDetail>(() => api.getTrack({ trackId }), [api, trackId]);
  if (error) return <Alert kind="error">{error}</Alert>;
  if (!detail) return <Spinner label={t('mine_opening')} />;
  return (
    <div class="pd-open-track">
      <TrackView ctx={{ detail, folder: null, refresh: () => void reload(), notify }} />
      <button type="button" class="pd-btn pd-btn-quiet" onClick={onClose}>
        {t('common_close')}
      </button>
    </div>
  );
}

function OwnTrackRow({ item, notify }: { item: LibraryItem; notify: TrackContext['notify'] }) {
  const [open, setOpen] = useState(false);
  return (
    <li class="pd-card" data-track-id={item.track.id} aria-label={item.track.title}>
      <div class="pd-card-row">
        <div style={{ flex: 1, minWidth: 0 }}>
          <strong>{item.track.title}</strong>
          <div class="pd-small pd-muted">
            {item.collaboratorCount === 0 ? t('mine_not_shared') : tn('mine_shared_with', item.collaboratorCount)}
            {item.project ? ` · ${item.project}` : ''}
          </div>
        </div>
        {!open && (
          <button type="button" class="pd-btn" onClick={() => setOpen(true)} aria-label={t('mine_open_label', item.track.title)}>
            {t('mine_open')}
          </button>
        )}
      </div>
      {open && <OpenTrack trackId={item.track.id} onClose={() => setOpen(false)} notify={notify} />}
    </li>
  );
}

function SharedWithMeRow({ item, onLeft, notify }: { item: LibraryItem; onLeft: () => void; notify: TrackContext['notify'] }) {
  const api = useApi();
  const [detail, setDetail] = useState<TrackDetail | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = async () => {
    setLoading(true);
    setError(null);
    try {
      setDetail(await api.getTrack({ trackId: item.track.id }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  };
  return (
    <li class="pd-card" data-track-id={item.track.id} aria-label={item.track.title}>
      <div class="pd-card-row">
        <div style={{ flex: 1 }}>
          <strong>{item.track.title}</strong>
          <div class="pd-small pd-muted">
            {t('mine_shared_by', item.track.ownerName, roleText(item.myRole))}
            {item.project ? ` · ${item.project}` : ''}
            {item.hidden ? ` · ${t('mine_hidden')}` : ''}
          </div>
          {item.accessEndsAt && (
            <div class="pd-small pd-schedule" data-access-ends={item.accessEndsAt}>
              {t('mine_your_access_ends', when(item.accessEndsAt))}
            </div>
          )}
        </div>
        {!detail && (
          <button type="button" class="pd-btn pd-btn-danger" onClick={open} disabled={loading}>
            {loading ? t('mine_opening') : t('mine_leave')}
          </button>
        )}
      </div>
      {error && <Alert kind="error">{error}</Alert>}
      {detail && <LeaveAction initiallyOpen ctx={{ detail, folder: null, refresh: onLeft, notify }} onCancel={() => setDetail(null)} />}
    </li>
  );
}

export function MyTracks() {
  const api = useApi();
  const [notice, setNotice] = useState<{ message: string; kind: 'ok' | 'warn' | 'error' } | null>(null);
  /** People whose access was just revoked with Revoke All: their tracks stay listed, marked revoked. */
  const [revoked, setRevoked] = useState<Set<string>>(new Set());
  /**
   * People whose Revoke All the owner started: kept on screen (with its progress) when a live push reloads the list
   * and they are no longer in it because the revoke already ended their access.
   */
  const [held, setHeld] = useState<Map<string, SharingPerson>>(new Map());

  const {
    data,
    error,
    reload: load,
  } = useLoad<Data>(async () => {
    const [sharing, library] = await Promise.all([api.getSharing(), api.getLibrary()]);
    return {
      people: sharing.people,
      sharedWithMe: library.items.filter((i) => i.myRole !== 'owner'),
      mine: library.items.filter((i) => i.myRole === 'owner'),
    };
  }, [api]);
  // Someone else's change (a leave, an accept, a revoke of my access) shows up while the popup is open.
  useLivePush(() => void load());

  if (error) return <Alert kind="error">{error}</Alert>;
  if (!data) return <Spinner label={t('mine_loading')} />;

  const sharing = (
    <section aria-labelledby="pd-sharing-title">
      <h2 id="pd-sharing-title" class="pd-title">
        {t('mine_sharing_panel')}
      </h2>
      <ul class="pd-list" aria-label={t('mine_people_you_share_with')}>
        {[...data.people, ...[...held.values()].filter((h) => !data.people.some((p) => p.personKey === h.personKey))].map((p) => (
          <li class="pd-card" key={p.personKey} aria-label={p.displayName}>
            <div class="pd-card-row">
              <div style={{ flex: 1 }}>
                <strong>{p.displayName}</strong>
                <div class="pd-small pd-muted">
                  {p.email} · {tn('tracks_count', p.tracks.length)}
                </div>
              </div>
              <RevokeAllAction
                person={{ personKey: p.personKey, displayName: p.displayName }}
                onStart={() => setHeld((m) => new Map(m).set(p.personKey, p))}
                onDone={() => setRevoked((r) => new Set(r).add(p.personKey))}
              />
            </div>
            <ul class="pd-small" style={{ margin: '4px 0 0', paddingLeft: '18px' }}>
              {p.tracks.map((track) => (
                <li key={track.trackId}>
                  {track.title}{' '}
                  <span class="pd-muted">
                    ({revoked.has(p.personKey) ? t('mine_revoked') : track.status === 'invited' ? t('mine_invited') : accessText(track.accessLevel)})
                  </span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
  const notify: TrackContext['notify'] = (message, kind = 'ok') => setNotice({ message, kind });
  const mine = (
    <section aria-labelledby="pd-mine-title">
      <h2 id="pd-mine-title" class="pd-title">
        {t('mine_tracks_i_own')}
      </h2>
      <ul class="pd-list" aria-label={t('mine_tracks_i_own')}>
        {data.mine.map((item) => (
          <OwnTrackRow key={item.track.id} item={item} notify={notify} />
        ))}
      </ul>
    </section>
  );
  const sharedWithMe = (
    // A focus home (components/ui.tsx, Dialog): a Leave confirmation whose row a live push removes (the owner ended
    // this access meanwhile) hands focus to this list, or to the tab panel when the list is gone too.
    <section aria-labelledby="pd-shared-title" data-focus-home="shared-with-me">
      <h2 id="pd-shared-title" class="pd-title">
        {t('mine_shared_with_me')}
      </h2>
      <ul class="pd-list" aria-label={t('mine_tracks_shared_with_me')}>
        {data.sharedWithMe.map((item) => (
          <SharedWithMeRow
            key={item.track.id}
            item={item}
            notify={(message, kind = 'ok') => setNotice({ message, kind })}
            onLeft={() => void load()}
          />
        ))}
      </ul>
    </section>
  );
  return (
    <div>
      {notice && <Alert kind={notice.kind}>{notice.message}</Alert>}
      {data.people.length === 0 && data.sharedWithMe.length === 0 && data.mine.length === 0 && <p class="pd-muted">{t('mine_nothing')}</p>}
      {data.mine.length > 0 && mine}
      {data.people.length > 0 && <div class={data.mine.length > 0 ? 'pd-section' : ''}>{sharing}</div>}
      {data.sharedWithMe.length > 0 && <div class={data.people.length + data.mine.length > 0 ? 'pd-section' : ''}>{sharedWithMe}</div>}
    </div>
  );
}
