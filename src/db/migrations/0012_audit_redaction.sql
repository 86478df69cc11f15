-- The audit log stays append-only, with one exception the law requires: erasing a subscriber
-- redacts their address from the entries that recorded it. Such an update may change only the
-- before/after texts, and only to texts marked as redacted; rows are still never deleted.
-- (coalesce: a comparison with NULL is NULL, and a NULL condition would let the update through.)
DROP TRIGGER `audit_log_no_update`;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
WHEN NOT coalesce(
  new.id = old.id AND new.at = old.at AND new.actor_kind = old.actor_kind AND new.actor_id IS old.actor_id
  AND new.actor_name = old.actor_name AND new.action = old.action AND new.subject_type = old.subject_type
  AND new.subject_id = old.subject_id
  AND (new.before IS old.before OR coalesce(json_extract(new.before, '$.redacted') = 1, 0))
  AND (new.after IS old.after OR coalesce(json_extract(new.after, '$.redacted') = 1, 0)),
  0
)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
