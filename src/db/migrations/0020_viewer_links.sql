CREATE TABLE `viewer_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`next` text DEFAULT '/' NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `viewer_links_expires_idx` ON `viewer_links` (`expires_at`);