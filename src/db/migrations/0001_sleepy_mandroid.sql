CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`notification_id` integer NOT NULL,
	`subscriber_id` integer NOT NULL,
	`channel` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`batch_id` integer,
	`provider_id` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`notification_id`) REFERENCES `notifications`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_once_idx` ON `deliveries` (`notification_id`,`subscriber_id`);--> statement-breakpoint
CREATE INDEX `deliveries_pending_idx` ON `deliveries` (`channel`,`state`,`batch_id`,`id`);--> statement-breakpoint
CREATE INDEX `deliveries_batch_idx` ON `deliveries` (`batch_id`);--> statement-breakpoint
CREATE INDEX `deliveries_subscriber_idx` ON `deliveries` (`subscriber_id`,`id`);--> statement-breakpoint
CREATE TABLE `delivery_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_owner` text,
	`lease_until` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `delivery_batches_open_idx` ON `delivery_batches` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`incident_id` integer,
	`payload` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `notifications_incident_idx` ON `notifications` (`incident_id`);--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `subscriber_components` (
	`subscriber_id` integer NOT NULL,
	`component_id` integer NOT NULL,
	PRIMARY KEY(`subscriber_id`, `component_id`),
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `subscriber_components_component_idx` ON `subscriber_components` (`component_id`);--> statement-breakpoint
CREATE TABLE `subscribers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`address` text NOT NULL,
	`state` text NOT NULL,
	`all_components` integer DEFAULT true NOT NULL,
	`manage_token` text NOT NULL,
	`confirm_token_hash` text,
	`confirm_expires_at` integer,
	`secret` text,
	`source` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`confirmed_at` integer,
	`unsubscribed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscribers_address_idx` ON `subscribers` (`kind`,`address`);--> statement-breakpoint
CREATE UNIQUE INDEX `subscribers_manage_token_idx` ON `subscribers` (`manage_token`);--> statement-breakpoint
CREATE INDEX `subscribers_confirm_idx` ON `subscribers` (`confirm_token_hash`);--> statement-breakpoint
CREATE INDEX `subscribers_state_idx` ON `subscribers` (`state`,`kind`);