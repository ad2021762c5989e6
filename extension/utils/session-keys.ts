/** storage.local keys whose changes mean "signed in or out" (the public account, the reason of an automatic
 *  sign-out): what the content script listens to. Its own tiny module so the content script does not bundle the
 *  storage library. */
export const PUBLIC_SESSION_KEYS = ['account', 'signedOutReason'] as const;
