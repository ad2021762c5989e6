// The product page's alternatives to leaving: keep access, reduce clutter.
// Move to a project (per person), archive (Editors only), hide from my library (per person).
import { useState } from 'preact/hooks';
import { useApi } from '../components/api-context';
import { Alert } from '../components/ui';
import { useAction } from '../components/use-action';
import { useUserGesture } from '../components/user-gesture';
import type { TrackContext } from './types';
import { t } from '../utils/i18n';

export const id = 'leave-alternatives';

export function LeaveAlternatives({ ctx, onDone }: { ctx: TrackContext; onDone: (message: string) => void }) {
  const api = useApi();
  const { detail } = ctx;
  const [project, setProject] = useState(detail.project ?? '');
  const { busy, error, run } = useAction();
  const onUserGesture = useUserGesture();
  const trackId = detail.track.id;
  const title = detail.track.title;

  const move = () =>
    run(async () => {
      const name = project.trim();
      await api.setPlacement({ trackId, project: name || null });
      onDone(name ? t('alt_moved', title, name) : t('alt_no_project', title));
    });
  const archive = () =>
    run(async () => {
      await api.archive({ trackId, archived: true });
      onDone(t('alt_archived', title));
    });
  const hide = () =>
    run(async () => {
      await api.setPlacement({ trackId, hidden: true });
      onDone(t('alt_hidden', title));
    });

  return (
    <section class="pd-section" aria-labelledby="pd-alt-title">
      <h3 id="pd-alt-title">{t('alt_title')}</h3>
      <form
        class="pd-field"
        onSubmit={(e) => {
          e.preventDefault();
          void move(); // not destructive: keeps access (a submit event cannot tell a script from the user)
        }}
      >
        <label class="pd-small" for="pd-project">
          {t('alt_project')}
        </label>
        <input
          id="pd-project"
          class="pd-input"
          value={project}
          placeholder={t('alt_project_placeholder')}
          maxLength={100}
          onInput={(e) => setProject((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="pd-btn" disabled={busy}>
          {t('alt_move')}
        </button>
      </form>
      <div class="pd-field">
        {detail.myRole === 'editor' && !detail.track.archived && (
          <button type="button" class="pd-btn" onClick={onUserGesture(archive)} disabled={busy}>
            {t('alt_archive')}
          </button>
        )}
        {!detail.hidden && (
          <button type="button" class="pd-btn" onClick={onUserGesture(hide)} disabled={busy}>
            {t('alt_hide')}
          </button>
        )}
      </div>
      {error && <Alert kind="error">{error}</Alert>}
    </section>
  );
}
