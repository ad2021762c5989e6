// Destructive controls (Revoke, Revoke All, Leave, Downgrade and their confirmations) act only on the user's own
// input. The panel lives in a closed shadow root, so a script of the Dropbox page cannot reach its buttons; this gate
// is the second wall: should a script get hold of one anyway, its button.click() / dispatchEvent() produce events the
// browser marks `isTrusted === false`, and nothing happens.
import { createContext } from 'preact';
import { useCallback, useContext } from 'preact/hooks';

/** Whether an event is the user's own click or key press. */
export type UserGestureCheck = (event: Event) => boolean;

/** The production gate: only the browser sets isTrusted, and only for real input (a LegacyUnforgeable property). */
export const isTrustedEvent: UserGestureCheck = (event) => event.isTrusted === true;

/**
 * The gate the views use. Always `isTrustedEvent` in the extension (nothing provides another one); unit tests, whose
 * DOM (happy-dom) cannot produce trusted events, provide a gate that accepts only the clicks their helper marks as
 * the user's (test/helpers/user-gesture.ts) — a plain scripted click is refused there too.
 */
export const UserGestureContext = createContext<UserGestureCheck>(isTrustedEvent);

/** `onUserGesture(handler)`: the handler runs only for the user's own events; anything else is ignored. */
export function useUserGesture() {
  const isUserGesture = useContext(UserGestureContext);
  return useCallback(
    <E extends Event>(handler: (event: E) => unknown) =>
      (event: E) => {
        if (!isUserGesture(event)) {
          event.preventDefault();
          return;
        }
        void handler(event);
      },
    [isUserGesture],
  );
}
