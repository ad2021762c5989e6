// Small building blocks shared by the panel and the popup.
import type { ComponentChildren } from 'preact';
import { Component } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Collaborator, CollaboratorStatus, Splits } from '@pd/shared';
import { formatPercent, type MessageKey, t } from '../utils/i18n';

export function Spinner({ label }: { label: string }) {
  return (
    <div class="pd-state" role="status" aria-live="polite">
      <span class="pd-spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Alert({ kind, children }: { kind: 'error' | 'warn' | 'ok' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`pd-alert pd-alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

const STATUS_KEY: Record<CollaboratorStatus, MessageKey> = {
  invited: 'status_invited',
  active: 'status_active',
  revoked: 'status_revoked',
  left: 'status_left',
  declined: 'status_declined',
};

/** The access ended in Dropbox and Dropbox did not say who ended it (worker/API.md, Departures). */
export function endedInDropbox(c: Pick<Collaborator, 'endedEvidence'>): boolean {
  return typeof c.endedEvidence === 'string' && c.endedEvidence.startsWith('dropbox_');
}

export function statusText(c: Pick<Collaborator, 'status' | 'endedVia' | 'endedEvidence'>): string {
  // Never a guess about who ended it; rows recorded before the evidence was kept render from status and endedVia.
  if (c.status !== 'active' && c.status !== 'invited' && endedInDropbox(c)) return t('status_ended_in_dropbox');
  if (c.endedVia === 'dropbox' && c.status === 'revoked') return t('status_revoked_in_dropbox');
  if (c.endedVia === 'dropbox' && c.status === 'left') return t('status_left_in_dropbox');
  return t(STATUS_KEY[c.status]);
}

export function StatusChip({ collaborator }: { collaborator: Pick<Collaborator, 'status' | 'endedVia' | 'endedEvidence'> }) {
  const cls = collaborator.status === 'active' ? 'pd-chip-active' : collaborator.status === 'invited' ? 'pd-chip-invited' : 'pd-chip-ended';
  return <span class={`pd-chip ${cls}`}>{statusText(collaborator)}</span>;
}

export function accessText(level: 'editor' | 'viewer'): string {
  return level === 'editor' ? t('access_editor') : t('access_viewer');
}

export function roleText(role: 'owner' | 'editor' | 'viewer'): string {
  return role === 'owner' ? t('role_owner') : accessText(role);
}

export function splitsText(s: Splits): string {
  return t('splits_line', formatPercent(s.master), formatPercent(s.publishing), formatPercent(s.writer));
}

export function isCurrent(c: Pick<Collaborator, 'status'>): boolean {
  return c.status === 'active' || c.status === 'invited';
}

/**
 * After a dialog closed, once the render that closed it has finished, and only if focus is then nowhere: focus the
 * control that opened it, or else the first of `homes` still on screen (elements marked data-focus-home: a
 * collaborator's row, then the panel, nearest first), made focusable by script only. It waits for the render to
 * finish because that render may still remove the opener (the dialog's cleanup runs before Preact detaches the
 * subtree around it) or move the row (from current people to past ones), and either drops focus.
 */
function restoreFocusLater(root: Document | ShadowRoot, opener: HTMLElement | null, homes: string[]): void {
  setTimeout(() => {
    if (holdsFocus(root.activeElement, root)) return;
    if (holdsFocus(opener, root)) {
      opener.focus();
      return;
    }
    const marked = [...root.querySelectorAll<HTMLElement>('[data-focus-home]')];
    for (const home of homes) {
      const el = marked.find((e) => e.dataset.focusHome === home);
      if (!el) continue;
      if (!el.hasAttribute('tabindex')) el.tabIndex = -1;
      el.focus();
      return;
    }
  }, 0);
}

/** Whether focus on this element is focus somewhere: on screen, and not the document's body (focus nowhere). */
function holdsFocus(el: Element | null, root: Document | ShadowRoot): el is HTMLElement {
  return el instanceof HTMLElement && el.isConnected && el !== (root as Document).body;
}

/** The data-focus-home values around an element, nearest first. */
function focusHomesAround(el: Element | null): string[] {
  const out: string[] = [];
  for (let e = el?.closest<HTMLElement>('[data-focus-home]'); e; e = e.parentElement?.closest<HTMLElement>('[data-focus-home]')) {
    if (e.dataset.focusHome) out.push(e.dataset.focusHome);
  }
  return out;
}

/** A modal confirmation inside our own UI (shadow root or popup): the native <dialog> opened with showModal(), so the
 *  browser traps focus inside it and makes the rest inert (in a closed shadow root too). Escape and a click on the
 *  backdrop cancel; closing returns focus to the control that opened it, or when that control is gone to its row or
 *  the panel (data-focus-home). */
export function Dialog({ title, onClose, children, labelId }: { title: string; onClose: () => void; children: ComponentChildren; labelId: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  // Layout effect: open before the browser paints (and before a test looks), focus the safe choice.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const root = dialog.getRootNode() as Document | ShadowRoot;
    const opener = root.activeElement instanceof HTMLElement ? root.activeElement : null;
    // Where focus goes if the opener is gone when the dialog closes: a live update may end the row under an open
    // dialog (the person left meanwhile), and its controls with it, or end the viewer's own access and with it the
    // whole track view. Focus then lands on that row, or else on the panel, which now says what happened, rather
    // than nowhere.
    const homes = focusHomesAround(dialog.parentElement);
    if (!dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (dialog.open && typeof dialog.close === 'function') dialog.close();
      if (holdsFocus(opener, root)) opener.focus();
      restoreFocusLater(root, opener, homes);
    };
  }, []);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click is on the backdrop; its keyboard twin is Escape (onCancel)
    <dialog
      class="pd-dialog"
      aria-labelledby={labelId}
      ref={ref}
      onCancel={(e) => {
        // Escape: the parent decides (it unmounts the dialog), so the state and the screen agree.
        e.preventDefault();
        closeRef.current();
      }}
      onClick={(e) => {
        // A click on the ::backdrop lands on the <dialog> itself, outside its box.
        const dialog = ref.current;
        if (!dialog || e.target !== dialog) return;
        const r = dialog.getBoundingClientRect();
        const outside = e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom;
        if (outside && (e.clientX !== 0 || e.clientY !== 0)) closeRef.current();
      }}
    >
      <h2 id={labelId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** One feature's failure never takes the others down (and never reaches Dropbox's page). */
export class FeatureBoundary extends Component<{ id: string; children: ComponentChildren }, { failed: string | null }> {
  override state = { failed: null as string | null };
  override componentDidCatch(error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    console.warn(`[Producer Dashboard] feature "${this.props.id}" failed on ${location.href}: ${message}`);
    this.setState({ failed: message });
  }
  override render() {
    if (this.state.failed) return <Alert kind="error">{t('feature_failed', this.state.failed)}</Alert>;
    return this.props.children;
  }
}
