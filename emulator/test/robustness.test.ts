// Every bad input is a 4xx with a stable shape, never a 500: random bodies (deterministic PRNG) against every
// route and every control endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.ts';
import { Prng } from '../src/util.ts';
import { start } from './helpers.ts';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(async () => {
  await emu.close();
});

const ROUTES = [
  'users/get_current_account',
  'users/get_account',
  'users/get_account_batch',
  'files/list_folder',
  'files/list_folder/continue',
  'files/list_folder/get_latest_cursor',
  'files/get_metadata',
  'sharing/list_folders',
  'sharing/list_folders/continue',
  'sharing/list_folder_members',
  'sharing/list_folder_members/continue',
  'sharing/get_folder_metadata',
  'sharing/add_folder_member',
  'sharing/remove_folder_member',
  'sharing/check_remove_member_job_status',
  'sharing/relinquish_folder_membership',
  'sharing/check_job_status',
  'sharing/update_folder_member',
  'sharing/unshare_folder',
];
const VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  'x',
  '',
  '/',
  'id:',
  'ns:',
  'ns:abc',
  true,
  [],
  {},
  [1],
  { '.tag': 'email' },
  { '.tag': 'dropbox_id', dropbox_id: 5 },
  { '.tag': 'x' },
  { '.tag': 'viewer' },
  { '.tag': 'owner' },
  'viewer',
  'AAxx',
  'AA' + Buffer.from('{"k":"lf"}').toString('base64url'),
  'AA' + Buffer.from('{"k":"fm","a":"x","f":null}').toString('base64url'),
  '/Midnight Drive',
  'leo@pd.example',
  'maya@pd.example',
  'leave_folder',
  'upload_file',
  'rename_mount',
  'remove_member',
  '429',
  '*',
  [{ email: 1 }],
  [{ name: 'x', owner: 'leo@pd.example', members: [{}] }],
];
const API_FIELDS = [
  'path',
  'cursor',
  'shared_folder_id',
  'member',
  'members',
  'leave_a_copy',
  'access_level',
  'limit',
  'async_job_id',
  'recursive',
  'account_id',
  'account_ids',
];
const CONTROL = ['seed', 'act', 'faults', 'webhooks', 'tokens/expire', 'tokens', 'authorize', 'cursors/invalidate', 'jobs'];
const CONTROL_FIELDS = [
  'as',
  'action',
  'folder',
  'shared_folder_id',
  'member',
  'path',
  'access_level',
  'account',
  'accounts',
  'folders',
  'route',
  'kind',
  'rate',
  'client_id',
  'redirect_uri',
  'pendingPolls',
  'faults',
];

function randomBody(prng: Prng, fields: string[]) {
  const body: Record<string, unknown> = {};
  for (const f of fields) if (prng.next() < 0.35) body[f] = VALUES[Math.floor(prng.next() * VALUES.length)];
  return body;
}

describe('robustness', () => {
  it('random API bodies never produce a 5xx', async () => {
    const prng = new Prng(2026);
    const tokens = [emu.control.issueTokens('maya@pd.example').access_token, emu.control.issueTokens('leo@pd.example').access_token];
    const failures: string[] = [];
    for (let i = 0; i < 600; i++) {
      const route = ROUTES[i % ROUTES.length];
      const raw = prng.next() < 0.05 ? '[1,2]' : JSON.stringify(randomBody(prng, API_FIELDS));
      const res = await fetch(`${emu.url}/2/${route}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${tokens[i % 2]}`, 'Content-Type': 'application/json' },
        body: route === 'users/get_current_account' ? 'null' : raw,
      });
      const text = await res.text();
      if (res.status >= 500) failures.push(`${route} ${raw} -> ${res.status} ${text}`);
      if (res.status === 400) expect(text).toMatch(/^Error in call to API function "/);
      if (res.status === 409) expect(JSON.parse(text).error['.tag']).toEqual(expect.any(String));
    }
    expect(failures).toEqual([]);
  });

  it('random control bodies never produce a 5xx', async () => {
    const prng = new Prng(7);
    const failures: string[] = [];
    for (let i = 0; i < 400; i++) {
      const path = CONTROL[i % CONTROL.length];
      const body = JSON.stringify(randomBody(prng, CONTROL_FIELDS));
      const res = await fetch(`${emu.url}/_control/${path}`, { method: 'POST', body });
      if (res.status >= 500) failures.push(`${path} ${body} -> ${res.status} ${await res.text()}`);
      else await res.arrayBuffer();
    }
    await emu.control.faults.clear();
    expect(failures).toEqual([]);
  });
});
