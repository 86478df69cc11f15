ALTER TABLE `viewer_feed_tokens` ADD `method` text DEFAULT 'email' NOT NULL;--> statement-breakpoint
ALTER TABLE `viewer_feed_tokens` ADD `credential_version` integer DEFAULT 1 NOT NULL;