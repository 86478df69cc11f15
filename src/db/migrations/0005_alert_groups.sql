CREATE TABLE `alert_groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`group_key` text NOT NULL,
	`incident_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_groups_key_idx` ON `alert_groups` (`source`,`group_key`);--> statement-breakpoint
CREATE INDEX `alert_groups_incident_idx` ON `alert_groups` (`incident_id`);