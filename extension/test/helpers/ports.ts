// WXT's fake browser has no runtime.connect/onConnect: a small in-memory pair of ports, enough for the live socket's
// holders (a panel's or popup's port to the background) in unit tests.
import { fakeBrowser } from 'wxt/testing/fake-browser';

type Listener<A extends unknown[]> = (...args: A) => void;

function event<A extends unknown[]>() {
  const listeners = new Set<Listener<A>>();
  return {
    addListener: (l: Listener<A>) => void listeners.add(l),
    removeListener: (l: Listener<A>) => void listeners.delete(l),
    hasListener: (l: Listener<A>) => listeners.has(l),
    fire: (...args: A) => [...listeners].forEach((l) => l(...args)),
    clear: () => listeners.clear(),
  };
}

export interface FakePort {
  name: string;
  sender?: { id: string };
  postMessage(m: unknown): void;
  disconnect(): void;
  onMessage: ReturnType<typeof event<[unknown]>>;
  onDisconnect: ReturnType<typeof event<[]>>;
}

/** Installs connect/onConnect on the fake browser; returns the ports the background has received (open ones). */
export function installFakePorts() {
  const onConnect = event<[FakePort]>();
  const open = new Set<FakePort>();
  const connect = ({ name }: { name: string }): FakePort => {
    let closed = false;
    const make = (sender?: { id: string }): FakePort => ({
      name,
      sender,
      postMessage: () => {},
      disconnect: () => {},
      onMessage: event<[unknown]>(),
      onDisconnect: event<[]>(),
    });
    const mine = make();
    const theirs = make({ id: fakeBrowser.runtime.id });
    const close = (other: FakePort) => {
      if (closed) return;
      closed = true;
      open.delete(theirs);
      // As in browsers, only the other end hears the disconnect.
      other.onDisconnect.fire();
    };
    mine.postMessage = (m) => !closed && theirs.onMessage.fire(m);
    theirs.postMessage = (m) => !closed && mine.onMessage.fire(m);
    mine.disconnect = () => close(theirs);
    theirs.disconnect = () => close(mine);
    open.add(theirs);
    onConnect.fire(theirs);
    return mine;
  };
  Object.assign(fakeBrowser.runtime, { connect, onConnect });
  return {
    open,
    /** The background went away (service worker stopped): every panel/popup hears its port break. */
    breakAll() {
      for (const p of [...open]) p.disconnect();
    },
  };
}
