// Notifications: pending invitations to accept or decline first, then access revoked, someone left, invitations;
// unread ones marked, "Mark all read".
import { useApi } from '../../components/api-context';
import { Alert, Spinner } from '../../components/ui';
import { useAction, useLoad } from '../../components/use-action';
import { describeNotification } from '../../background/notify';
import { Invitations } from './Invitations';
import { useLivePush } from '../../components/live-context';
import { formatDateTime, formatNumber, t } from '../../utils/i18n';

export function Notifications({ onChanged }: { onChanged: () => void }) {
  const api = useApi();
  const mark = useAction();
  const { data: items, error, reload: load } = useLoad(async () => (await api.getNotifications()).notifications, [api]);
  useLivePush(() => void load());

  const invitations = <Invitations onAnswered={() => void load()} />;
  if (error)
    return (
      <div>
        {invitations}
        <Alert kind="error">{error}</Alert>
      </div>
    );
  if (!items)
    return (
      <div>
        {invitations}
        <Spinner label={t('ntfs_loading')} />
      </div>
    );
  const unread = items.filter((n) => !n.read);
  return (
    <div>
      {invitations}
      <div class="pd-card-row" style={{ marginBottom: '6px' }}>
        <span class="pd-sub" style={{ flex: 1 }}>
          {unread.length === 0 ? t('ntfs_all_read') : t('popup_unread', formatNumber(unread.length))}
        </span>
        {unread.length > 0 && (
          <button
            type="button"
            class="pd-btn"
            disabled={mark.busy}
            onClick={() =>
              mark.run(async () => {
                await api.markNotificationsRead({ all: true });
                await load();
                onChanged();
              })
            }
          >
            {t('ntfs_mark_all_read')}
          </button>
        )}
      </div>
      {mark.error && <Alert kind="error">{mark.error}</Alert>}
      {items.length === 0 ? (
        <p class="pd-muted">{t('ntfs_none')}</p>
      ) : (
        <ul class="pd-list" aria-label={t('ntfs_list')}>
          {items.map((n) => (
            <li key={n.id} class={`pd-card${n.read ? '' : ' pd-unread'}`} data-read={n.read ? 'true' : 'false'}>
              <div>{describeNotification(n)}</div>
              <div class="pd-card-row pd-small pd-muted">
                <span style={{ flex: 1 }}>{formatDateTime(n.createdAt)}</span>
                {!n.read && (
                  <button
                    type="button"
                    class="pd-btn pd-btn-quiet"
                    onClick={() =>
                      mark.run(async () => {
                        await api.markNotificationsRead({ ids: [n.id] });
                        await load();
                        onChanged();
                      })
                    }
                  >
                    {t('ntfs_mark_read')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
