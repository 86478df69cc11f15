CREATE TABLE `brand_assets` (
	`file` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`content_type` text NOT NULL,
	`bytes` blob NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `brand_assets_kind_idx` ON `brand_assets` (`kind`,`created_at`);