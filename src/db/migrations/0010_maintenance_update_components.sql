CREATE TABLE `maintenance_update_components` (
	`update_id` integer NOT NULL,
	`component_id` integer NOT NULL,
	`old_status` text NOT NULL,
	`new_status` text NOT NULL,
	PRIMARY KEY(`update_id`, `component_id`),
	FOREIGN KEY (`update_id`) REFERENCES `maintenance_updates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Written by hand: drizzle-kit 0.31 quotes an expression index's parts as if they were column names.
CREATE INDEX `notifications_maintenance_idx` ON `notifications` (json_extract("payload", '$.maintenance.id'));