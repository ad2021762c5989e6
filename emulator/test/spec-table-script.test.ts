// scripts/spec-table.mjs turns Stone into the table the conformance tests read. CI has no copy of Dropbox's spec, so
// the parser is checked here on a small Stone text written like the spec's own (docstrings, examples, extends,
// aliases, nested unions, route attrs), and the checked-in table on what the worker relies on.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without types
import { buildTable } from '../../scripts/spec-table.mjs';
import { specTable } from '../src/spec.ts';

const ASYNC = `namespace async

alias AsyncJobId = String(min_length=1)

union_closed LaunchResultBase
    "Result returned by methods that launch an asynchronous job."
    async_job_id AsyncJobId
        "This response indicates that the processing is asynchronous.
        The string is an id that can be used to obtain the status of the asynchronous job."

    example default
        async_job_id = "34g93hh34h04y384084"

union_closed LaunchEmptyResult extends LaunchResultBase
    complete
        "The job finished synchronously and successfully."
`;

const SHARING = `namespace sharing

import async
import common

union SharedFolderAccessError
    "There is an error accessing the shared folder."
    invalid_id
        "This shared folder ID is invalid."
    not_a_member
        "The user is not a member of the shared folder
        thus cannot access it."

union AddFolderMemberError
    access_error SharedFolderAccessError
        "Unable to access shared folder."
    rate_limit
    too_many_members UInt64 = 0
        "The value is the member limit that was reached."

union UpdateFolderMemberError
    access_error SharedFolderAccessError
    no_explicit_access AddFolderMemberError
        "If updating the access type required the member to be added ..."
    insufficient_plan

struct MemberAccessLevelResult
    access_level AccessLevel?
        "The member still has this access level."
    warning String?

union AccessLevel
    owner
    editor

struct UpdateFolderMemberArg
    shared_folder_id common.SharedFolderId
        "The ID for the shared folder."
    member MemberSelector
    access_level AccessLevel
    leave_a_copy Boolean = false

    example default
        shared_folder_id = "84528192421"

union MemberSelector
    dropbox_id String
    email String

route update_folder_member (UpdateFolderMemberArg, MemberAccessLevelResult, UpdateFolderMemberError)
    "Allows an owner or editor of a shared folder to update another member's permissions."

    attrs
        auth = "user"
        scope = "sharing.write"

route relinquish_folder_membership (UpdateFolderMemberArg, async.LaunchEmptyResult, SharedFolderAccessError)

route old_route (UpdateFolderMemberArg, Void, Void) deprecated
`;

const COMMON = `namespace common

alias SharedFolderId = String(pattern="[-_0-9a-zA-Z:]+")
`;

const AUTH = `namespace auth

union AuthError
    invalid_access_token
        "The access token is invalid."
    expired_access_token

union RateLimitReason
    too_many_requests
`;

describe('scripts/spec-table.mjs', () => {
  const table = buildTable(
    new Map([
      ['async', ASYNC],
      ['sharing', SHARING],
      ['common', COMMON],
      ['auth', AUTH],
    ]),
    'abc123',
  );

  it('reads arguments (required unless nullable or defaulted), results and nested error unions', () => {
    expect(table.commit).toBe('abc123');
    const r = table.routes['sharing/update_folder_member'];
    expect(r.arg.fields).toEqual({
      shared_folder_id: { type: 'common.SharedFolderId', required: true },
      member: { type: 'sharing.MemberSelector', required: true },
      access_level: { type: 'sharing.AccessLevel', required: true },
      leave_a_copy: { type: 'Boolean', required: false },
    });
    expect(Object.keys(r.result.fields)).toEqual(['access_level', 'warning']);
    expect(r.error.tags).toEqual({
      access_error: { invalid_id: null, not_a_member: null },
      no_explicit_access: { access_error: { invalid_id: null, not_a_member: null }, rate_limit: null, too_many_members: null },
      insufficient_plan: null,
    });
  });

  it('follows extends across namespaces, leaves deprecated routes out, and keeps the auth errors', () => {
    expect(table.routes['sharing/relinquish_folder_membership'].result).toEqual({
      type: 'async.LaunchEmptyResult',
      union: { async_job_id: 'String', complete: null },
    });
    expect(table.routes['sharing/old_route']).toBeUndefined();
    expect(table.auth_error).toEqual({ invalid_access_token: null, expired_access_token: null });
  });
});

describe('the checked-in table', () => {
  it('comes from a named spec commit and has the unions the worker relies on', () => {
    const t = specTable();
    expect(t.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(t.routes['sharing/remove_folder_member'].error.tags).toMatchObject({
      access_error: { invalid_id: null, not_a_member: null, invalid_member: null, unmounted: null },
      member_error: { not_a_member: null, no_explicit_access: null },
    });
    expect(t.routes['sharing/relinquish_folder_membership'].error.tags).toHaveProperty('mounted', null);
    expect(t.routes['sharing/update_folder_member'].error.tags!.no_explicit_access).toMatchObject({ rate_limit: null, insufficient_plan: null });
  });
});
