// Who is reading the public side: the public, or a viewer admitted to audiences (issue 20). Staff
// identity is separate (locals.user) and never implies a viewer.

/** The viewer cookie: holds the secret whose SHA-256 is a viewer_sessions id. */
export const VIEWER_COOKIE = 'candor_viewer';

export type AccessMethod = 'email' | 'password' | 'sso' | 'ip';

export interface Viewer {
  /** Audiences this request is admitted to, ascending; empty for the public. */
  audienceIds: readonly number[];
  /** The viewer session behind the cookie (its id, not the secret), if any. */
  sessionId: string | null;
  /** The address a sign-in link or single sign-on proved, if any. */
  email: string | null;
  /** How each audience was admitted, in the order of audienceIds (for the "signed in" note and the audit). */
  methods: readonly AccessMethod[];
}

export const PUBLIC_VIEWER: Viewer = Object.freeze({
  audienceIds: Object.freeze([]),
  sessionId: null,
  email: null,
  methods: Object.freeze([]),
});

export function isPublicViewer(viewer: Viewer): boolean {
  return viewer.audienceIds.length === 0;
}

/** A viewer admitted to `audienceIds` without a session (subscribers, feed tokens). */
export function audienceViewer(audienceIds: readonly number[]): Viewer {
  if (audienceIds.length === 0) return PUBLIC_VIEWER;
  return { audienceIds: [...audienceIds].sort((a, b) => a - b), sessionId: null, email: null, methods: [] };
}
