import { cleanName, type Account } from '@pd/shared';
import { DomainError } from './errors.ts';
import { lower, newId, nowIso } from './db.ts';

export interface AccountRow {
  id: string;
  dropbox_account_id: string;
  email: string;
  email_lower: string;
  display_name: string;
}

export const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  dropboxAccountId: r.dropbox_account_id,
});

export interface UpsertAccountInput {
  dropboxAccountId: string;
  email: string;
  displayName: string;
}

/**
 * SQL for creating or refreshing an account by its Dropbox account id (binds: id, dbid, email, email_lower, name, now,
 * now). Only the sign-in may use it: its email comes from users/get_current_account with email_verified true, and
 * invitations are matched by email.
 */
export const UPSERT_ACCOUNT_SQL = `INSERT INTO accounts (id, dropbox_account_id, email, email_lower, display_name, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (dropbox_account_id) DO UPDATE SET
    email = excluded.email, email_lower = excluded.email_lower, display_name = excluded.display_name,
    updated_at = excluded.updated_at`;

/**
 * The same for a person found in a shared folder's member list (same binds). Creates the record of someone who never
 * signed in, refreshes the display name of someone who did, and never changes an email: Dropbox's member list
 * does not say whether an address is verified, so an address changed in Dropbox (to anyone's, unconfirmed) must
 * not reach the account that invitations are matched against. The email is set again at the next sign-in.
 */
export const MEMBER_ACCOUNT_SQL = `INSERT INTO accounts (id, dropbox_account_id, email, email_lower, display_name, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (dropbox_account_id) DO UPDATE SET display_name = excluded.display_name, updated_at = excluded.updated_at`;

export function prepareUpsertAccount(db: D1Database, input: UpsertAccountInput, now = nowIso()): D1PreparedStatement {
  return db
    .prepare(UPSERT_ACCOUNT_SQL)
    .bind(newId('acc'), input.dropboxAccountId, input.email.trim(), lower(input.email), cleanName(input.displayName) || input.email.trim(), now, now);
}

/** The Dropbox sign-in calls this: creates the PD account on first sign-in, refreshes email and name after. */
export async function upsertAccount(db: D1Database, input: UpsertAccountInput): Promise<Account> {
  await prepareUpsertAccount(db, input).run();
  const row = await db.prepare('SELECT * FROM accounts WHERE dropbox_account_id = ?').bind(input.dropboxAccountId).first<AccountRow>();
  if (!row) throw new Error('account upsert lost');
  return toAccount(row);
}

export async function getAccount(db: D1Database, accountId: string): Promise<Account> {
  const row = await db.prepare('SELECT * FROM accounts WHERE id = ?').bind(accountId).first<AccountRow>();
  if (!row) throw new DomainError('unauthenticated', 'This account does not exist.');
  return toAccount(row);
}

export async function findAccountByDropboxId(db: D1Database, dropboxAccountId: string): Promise<Account | null> {
  const row = await db.prepare('SELECT * FROM accounts WHERE dropbox_account_id = ?').bind(dropboxAccountId).first<AccountRow>();
  return row ? toAccount(row) : null;
}
