// Secrets are not in wrangler.toml, so `wrangler types` cannot see them; declare them here.
interface Env {
  /** Dropbox app secret: signs webhook notifications (HMAC-SHA256). Never sent to the extension. */
  DROPBOX_APP_SECRET: string;
  /** Base64 of 32 random bytes: AES-GCM key for Dropbox refresh/access tokens at rest. */
  TOKEN_ENCRYPTION_KEY: string;
  /** During a key rotation only: the key being retired (still opens what it sealed). */
  TOKEN_ENCRYPTION_KEY_PREVIOUS?: string;
}
// The same secrets on the namespaced Env that `cloudflare:test` uses.
declare namespace Cloudflare {
  interface Env {
    DROPBOX_APP_SECRET: string;
    TOKEN_ENCRYPTION_KEY: string;
    TOKEN_ENCRYPTION_KEY_PREVIOUS?: string;
  }
}
