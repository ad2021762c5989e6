import type { Collaborator, TrackDetail } from '@pd/shared';

/** Where a track is being looked at: the injected panel (knows the Dropbox folder) or the toolbar popup. */
export interface TrackContext {
  detail: TrackDetail;
  /** The Dropbox folder on screen, when known (panel, or popup on a Dropbox tab). */
  folder: { path: string; url: string; downloadUrl: string } | null;
  /** Dropbox's own Download button on the page, when the panel found one. */
  clickDropboxDownload?: (() => boolean) | null;
  /** Re-read the track after a change. */
  refresh: () => void;
  /** Say something to the user after a change (shown by the host view). */
  notify: (message: string, kind?: 'ok' | 'warn' | 'error') => void;
}

export interface CollaboratorFeatureProps {
  ctx: TrackContext;
  collaborator: Collaborator;
}

export interface TrackFeatureProps {
  ctx: TrackContext;
}
