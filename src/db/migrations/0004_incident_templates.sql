CREATE TABLE `incident_templates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`title` text DEFAULT '' NOT NULL,
	`status` text NOT NULL,
	`impact` text NOT NULL,
	`message` text NOT NULL,
	`components` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `incident_templates_name_idx` ON `incident_templates` (`name`);