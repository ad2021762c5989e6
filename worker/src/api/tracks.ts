// /tracks: create (only for a Dropbox shared folder the caller owns), detail, metadata/tags, splits, archive, per-person placement, history.
import {
  ArchiveBody,
  CreateTrackBody,
  HistoryQuery,
  PlacementBody,
  TrackParams,
  UpdateSplitsBody,
  UpdateTrackBody,
  type HistoryResponse,
  type TrackDetailResponse,
  type UpdateSplitsResponse,
} from '@pd/shared';
import { Hono } from 'hono';
import { createTrack, getTrackDetail, listHistory, setArchived, setPlacement, updateSplits, updateTrack } from '../domain/index.ts';
import { assertOwnsSharedFolder } from '../api-dropbox/folder-owner.ts';
import { db, validate, type AppEnv } from './http.ts';

export const tracks = new Hono<AppEnv>()
  .post('/', validate('json', CreateTrackBody), async (c) => {
    const body = c.req.valid('json');
    // Ownership in Dropbox, checked on the parsed (trimmed) id that is stored below — never on the raw input.
    await assertOwnsSharedFolder({ ...c.env, DB: db(c) }, c.var.account.id, body.dropboxSharedFolderId);
    const track = await createTrack(db(c), { ...body, ownerId: c.var.account.id, via: 'app' });
    return c.json<TrackDetailResponse>(await getTrackDetail(db(c), track.id, c.var.account.id), 201);
  })
  .get('/:trackId', validate('param', TrackParams), async (c) => {
    const { trackId } = c.req.valid('param');
    return c.json<TrackDetailResponse>(await getTrackDetail(db(c), trackId, c.var.account.id));
  })
  .patch('/:trackId', validate('param', TrackParams), validate('json', UpdateTrackBody), async (c) => {
    const { trackId } = c.req.valid('param');
    await updateTrack(db(c), { ...c.req.valid('json'), trackId, actorId: c.var.account.id, via: 'app' });
    return c.json<TrackDetailResponse>(await getTrackDetail(db(c), trackId, c.var.account.id));
  })
  .put('/:trackId/splits', validate('param', TrackParams), validate('json', UpdateSplitsBody), async (c) => {
    const { trackId } = c.req.valid('param');
    await updateSplits(db(c), { ...c.req.valid('json'), trackId, actorId: c.var.account.id, via: 'app' });
    const detail = await getTrackDetail(db(c), trackId, c.var.account.id);
    const warnings = (['master', 'publishing', 'writer'] as const)
      .filter((type) => detail.splitTotals[type].overAllocated)
      .map((type) => `${type}_over_allocated`);
    return c.json<UpdateSplitsResponse>({ ...detail, warnings });
  })
  .post('/:trackId/archive', validate('param', TrackParams), validate('json', ArchiveBody), async (c) => {
    const { trackId } = c.req.valid('param');
    await setArchived(db(c), { trackId, actorId: c.var.account.id, archived: c.req.valid('json').archived, via: 'app' });
    return c.json<TrackDetailResponse>(await getTrackDetail(db(c), trackId, c.var.account.id));
  })
  .put('/:trackId/placement', validate('param', TrackParams), validate('json', PlacementBody), async (c) => {
    const { trackId } = c.req.valid('param');
    await setPlacement(db(c), { ...c.req.valid('json'), trackId, accountId: c.var.account.id });
    return c.json<TrackDetailResponse>(await getTrackDetail(db(c), trackId, c.var.account.id));
  })
  .get('/:trackId/history', validate('param', TrackParams), validate('query', HistoryQuery), async (c) => {
    const { trackId } = c.req.valid('param');
    const q = c.req.valid('query');
    return c.json<HistoryResponse>(await listHistory(db(c), { trackId, accountId: c.var.account.id, ...q }));
  });
