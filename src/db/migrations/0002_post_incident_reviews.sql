CREATE TABLE `postmortem_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`revision` integer NOT NULL,
	`content` text NOT NULL,
	`sources` text NOT NULL,
	`change_note` text DEFAULT '' NOT NULL,
	`minor` integer DEFAULT false NOT NULL,
	`acknowledgement` text DEFAULT '' NOT NULL,
	`published_at` integer NOT NULL,
	`published_by` integer,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`published_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `postmortem_revisions_idx` ON `postmortem_revisions` (`review_id`,`revision`);--> statement-breakpoint
CREATE TABLE `review_action_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`action_id` integer NOT NULL,
	`field` text NOT NULL,
	`old_value` text NOT NULL,
	`new_value` text NOT NULL,
	`at` integer NOT NULL,
	`user_id` integer,
	`user_name` text NOT NULL,
	FOREIGN KEY (`action_id`) REFERENCES `review_actions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `review_action_changes_action_idx` ON `review_action_changes` (`action_id`,`at`);--> statement-breakpoint
CREATE TABLE `review_actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`title` text NOT NULL,
	`owner` text NOT NULL,
	`priority` text NOT NULL,
	`due_at` integer NOT NULL,
	`status` text NOT NULL,
	`ticket_url` text DEFAULT '' NOT NULL,
	`category` text NOT NULL,
	`public` integer DEFAULT false NOT NULL,
	`public_text` text DEFAULT '' NOT NULL,
	`completed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `review_actions_review_idx` ON `review_actions` (`review_id`);--> statement-breakpoint
CREATE INDEX `review_actions_due_idx` ON `review_actions` (`status`,`due_at`);--> statement-breakpoint
CREATE TABLE `review_activity` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`at` integer NOT NULL,
	`user_id` integer,
	`user_name` text NOT NULL,
	`action` text NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `review_activity_review_idx` ON `review_activity` (`review_id`,`at`);--> statement-breakpoint
CREATE TABLE `review_authors` (
	`review_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	PRIMARY KEY(`review_id`, `user_id`),
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `review_factors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`kind` text NOT NULL,
	`description` text NOT NULL,
	`public` integer DEFAULT false NOT NULL,
	`public_text` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `review_factors_review_idx` ON `review_factors` (`review_id`);--> statement-breakpoint
CREATE TABLE `review_incidents` (
	`review_id` integer NOT NULL,
	`incident_id` integer NOT NULL,
	PRIMARY KEY(`review_id`, `incident_id`),
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `review_incidents_incident_idx` ON `review_incidents` (`incident_id`);--> statement-breakpoint
CREATE TABLE `review_timeline` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`review_id` integer NOT NULL,
	`at` integer NOT NULL,
	`end_at` integer,
	`actor` text NOT NULL,
	`kind` text NOT NULL,
	`effect` text NOT NULL,
	`description` text NOT NULL,
	`public` integer DEFAULT false NOT NULL,
	`public_text` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `review_timeline_review_idx` ON `review_timeline` (`review_id`,`at`);--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`severity` text NOT NULL,
	`state` text NOT NULL,
	`request_context` text NOT NULL,
	`owner_id` integer,
	`customer_impact` text DEFAULT '' NOT NULL,
	`customers_affected` integer DEFAULT true NOT NULL,
	`detected_by` text DEFAULT 'monitoring' NOT NULL,
	`new_failure_mode` integer DEFAULT false NOT NULL,
	`started_at` integer,
	`detected_at` integer,
	`acknowledged_at` integer,
	`mitigated_at` integer,
	`resolved_at` integer,
	`five_whys` text DEFAULT '[]' NOT NULL,
	`learnings` text DEFAULT '' NOT NULL,
	`rca_due_at` integer,
	`draft` text DEFAULT '{}' NOT NULL,
	`draft_sources` text DEFAULT '{}' NOT NULL,
	`approved_hash` text,
	`approved_by` integer,
	`approved_at` integer,
	`slug` text,
	`published_at` integer,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`approved_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reviews_slug_idx` ON `reviews` (`slug`);--> statement-breakpoint
CREATE INDEX `reviews_state_idx` ON `reviews` (`state`,`rca_due_at`);--> statement-breakpoint
ALTER TABLE `components` ADD `sla_target` real DEFAULT 99.9 NOT NULL;