// The required secrets are declared in wrangler.toml ([secrets] required), so `wrangler types` writes them into
// worker-configuration.d.ts. Only the optional one is declared here: it exists during a token-key rotation.
interface Env {
  /** During a key rotation only: the key being retired (still opens what it sealed). */
  TOKEN_ENCRYPTION_KEY_PREVIOUS?: string;
}
// The same on the namespaced Env that `cloudflare:test` uses.
declare namespace Cloudflare {
  interface Env {
    TOKEN_ENCRYPTION_KEY_PREVIOUS?: string;
  }
}
