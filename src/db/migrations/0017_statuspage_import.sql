CREATE TABLE `import_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`mode` text NOT NULL,
	`dry_run` integer DEFAULT false NOT NULL,
	`state` text NOT NULL,
	`progress` text DEFAULT '{}' NOT NULL,
	`summary` text,
	`error` text,
	`started_by` integer,
	`started_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `import_runs_started_idx` ON `import_runs` (`started_at`);--> statement-breakpoint
CREATE TABLE `imported_records` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`kind` text NOT NULL,
	`source_id` text NOT NULL,
	`local_id` integer NOT NULL,
	`fingerprint` text DEFAULT '' NOT NULL,
	`imported_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `imported_records_source_idx` ON `imported_records` (`source`,`kind`,`source_id`);--> statement-breakpoint
CREATE INDEX `imported_records_local_idx` ON `imported_records` (`kind`,`local_id`);