CREATE TABLE `maintenance_components` (
	`maintenance_id` integer NOT NULL,
	`component_id` integer NOT NULL,
	`prior_status` text,
	PRIMARY KEY(`maintenance_id`, `component_id`),
	FOREIGN KEY (`maintenance_id`) REFERENCES `maintenances`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `maintenance_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`maintenance_id` integer NOT NULL,
	`status` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`author_id` integer,
	`author_name` text NOT NULL,
	FOREIGN KEY (`maintenance_id`) REFERENCES `maintenances`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `maintenance_updates_idx` ON `maintenance_updates` (`maintenance_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `maintenances` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`scheduled_for` integer NOT NULL,
	`scheduled_until` integer NOT NULL,
	`auto_start` integer DEFAULT true NOT NULL,
	`auto_complete` integer DEFAULT true NOT NULL,
	`remind_at` integer,
	`reminded_at` integer,
	`started_at` integer,
	`completed_at` integer,
	`sequence` integer DEFAULT 0 NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `maintenances_status_idx` ON `maintenances` (`status`,`scheduled_for`);--> statement-breakpoint
CREATE INDEX `maintenances_window_idx` ON `maintenances` (`scheduled_for`);