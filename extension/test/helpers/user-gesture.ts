// happy-dom cannot produce trusted events (it has no isTrusted at all), so component tests run the views with this
// gate: it accepts only the clicks `userClick` makes — the test's stand-in for a person — and refuses every other
// event, exactly as the production gate (components/user-gesture.ts, isTrusted) refuses a page script's clicks.
import { act } from '@testing-library/preact';
import type { UserGestureCheck } from '../../components/user-gesture';

const userEvents = new WeakSet<Event>();

export const testUserGesture: UserGestureCheck = (event) => userEvents.has(event);

/** A click by the user (on a button, a link…), as the test gate accepts it; Preact's re-render is flushed, as
 *  testing-library's fireEvent does. */
export function userClick(el: Element): void {
  const event = new MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
  userEvents.add(event);
  act(() => {
    el.dispatchEvent(event);
  });
}
