// The /api/v1 operations that manage audiences (issue 20): who, beyond the public, may read which
// components. Kept apart from openapi-operations.ts, which openapi.ts joins them to.
import { z } from 'zod';
import { audienceCreateSchema, audiencePatchSchema } from './audiences/audience-rules.ts';
import { audiencePasswordSchema } from './audiences/audiences.ts';
import type { Operation } from './openapi-operations.ts';
import { Audience } from './openapi-schemas.ts';

const one = z.object({ audience: Audience });

export const AUDIENCE_OPERATIONS: Operation[] = [
  {
    id: 'listAudiences',
    method: 'get',
    path: '/audiences',
    summary: 'List audiences',
    tag: 'Audiences',
    permission: 'audiences:manage',
    success: { status: 200, schema: z.object({ audiences: z.array(Audience) }) },
  },
  {
    id: 'createAudience',
    method: 'post',
    path: '/audiences',
    summary: 'Add an audience',
    tag: 'Audiences',
    permission: 'audiences:manage',
    body: audienceCreateSchema,
    success: { status: 201, schema: one },
  },
  {
    id: 'getAudience',
    method: 'get',
    path: '/audiences/{id}',
    summary: 'Get an audience',
    tag: 'Audiences',
    permission: 'audiences:manage',
    success: { status: 200, schema: one },
  },
  {
    id: 'updateAudience',
    method: 'patch',
    path: '/audiences/{id}',
    summary: 'Change an audience (a list that is sent replaces the whole list)',
    tag: 'Audiences',
    permission: 'audiences:manage',
    body: audiencePatchSchema,
    success: { status: 200, schema: one },
  },
  {
    id: 'deleteAudience',
    method: 'delete',
    path: '/audiences/{id}',
    summary: 'Delete an audience that is given no components or groups',
    tag: 'Audiences',
    permission: 'audiences:manage',
    success: { status: 204, schema: null },
  },
  {
    id: 'setAudiencePassword',
    method: 'put',
    path: '/audiences/{id}/password',
    summary: "Set an audience's shared password (signs out everyone who used the old one)",
    tag: 'Audiences',
    permission: 'audiences:manage',
    body: audiencePasswordSchema,
    success: { status: 200, schema: one },
  },
  {
    id: 'clearAudiencePassword',
    method: 'delete',
    path: '/audiences/{id}/password',
    summary: "Remove an audience's shared password (signs out everyone who used it)",
    tag: 'Audiences',
    permission: 'audiences:manage',
    success: { status: 204, schema: null },
  },
];
