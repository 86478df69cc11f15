CREATE TABLE `audience_members` (
	`audience_id` integer NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`audience_id`, `kind`, `value`),
	FOREIGN KEY (`audience_id`) REFERENCES `audiences`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `audience_members_value_idx` ON `audience_members` (`value`);--> statement-breakpoint
CREATE TABLE `audiences` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`password_hash` text,
	`credential_version` integer DEFAULT 1 NOT NULL,
	`ip_allowlist` text DEFAULT '[]' NOT NULL,
	`sso_rules` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audiences_name_idx` ON `audiences` (`name`);--> statement-breakpoint
CREATE TABLE `component_audiences` (
	`component_id` integer NOT NULL,
	`audience_id` integer NOT NULL,
	PRIMARY KEY(`component_id`, `audience_id`),
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`audience_id`) REFERENCES `audiences`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `component_audiences_audience_idx` ON `component_audiences` (`audience_id`);--> statement-breakpoint
CREATE TABLE `group_audiences` (
	`group_id` integer NOT NULL,
	`audience_id` integer NOT NULL,
	PRIMARY KEY(`group_id`, `audience_id`),
	FOREIGN KEY (`group_id`) REFERENCES `component_groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`audience_id`) REFERENCES `audiences`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `group_audiences_audience_idx` ON `group_audiences` (`audience_id`);--> statement-breakpoint
CREATE TABLE `subscriber_audiences` (
	`subscriber_id` integer NOT NULL,
	`audience_id` integer NOT NULL,
	PRIMARY KEY(`subscriber_id`, `audience_id`),
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`audience_id`) REFERENCES `audiences`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `subscriber_audiences_audience_idx` ON `subscriber_audiences` (`audience_id`);--> statement-breakpoint
CREATE TABLE `viewer_feed_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`audience_id` integer NOT NULL,
	`email` text,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`audience_id`) REFERENCES `audiences`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `viewer_feed_tokens_hash_idx` ON `viewer_feed_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `viewer_feed_tokens_audience_idx` ON `viewer_feed_tokens` (`audience_id`);--> statement-breakpoint
CREATE TABLE `viewer_grants` (
	`session_id` text NOT NULL,
	`audience_id` integer NOT NULL,
	`method` text NOT NULL,
	`credential_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `audience_id`),
	FOREIGN KEY (`session_id`) REFERENCES `viewer_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`audience_id`) REFERENCES `audiences`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `viewer_grants_audience_idx` ON `viewer_grants` (`audience_id`);--> statement-breakpoint
CREATE TABLE `viewer_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `viewer_sessions_email_idx` ON `viewer_sessions` (`email`);