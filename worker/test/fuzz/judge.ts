// The property every fuzzed answer must have.

/** Checks one answer; returns what is wrong with it, or null. */
export async function judge(res: Response, before: () => Promise<string[]>): Promise<string | null> {
  const text = await res.text();
  if (res.status >= 500) return `answered ${res.status}: ${text.slice(0, 300)}`;
  if (res.status < 200 || (res.status >= 300 && res.status < 400)) return `answered ${res.status}`;
  const json = (res.headers.get('content-type') ?? '').includes('application/json');
  let parsed: any = undefined;
  if (json) {
    try {
      parsed = JSON.parse(text);
    } catch {
      return `answered ${res.status} with a JSON content type and a body that is not JSON: ${text.slice(0, 200)}`;
    }
  }
  if (res.status >= 400) {
    const e = parsed?.error;
    if (!json || typeof e?.code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(e.code) || typeof e.message !== 'string' || !e.message) {
      return `answered ${res.status} without { error: { code, message } }: ${text.slice(0, 300)}`;
    }
    const changed = await before();
    if (changed.length) return `rejected with ${res.status} ${e.code} but changed the database: ${changed.join('; ')}`;
  }
  return null;
}
