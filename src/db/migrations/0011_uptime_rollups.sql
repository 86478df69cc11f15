CREATE TABLE `component_uptime_days` (
	`component_id` integer NOT NULL,
	`day` integer NOT NULL,
	`operational_ms` integer DEFAULT 0 NOT NULL,
	`under_maintenance_ms` integer DEFAULT 0 NOT NULL,
	`degraded_performance_ms` integer DEFAULT 0 NOT NULL,
	`partial_outage_ms` integer DEFAULT 0 NOT NULL,
	`major_outage_ms` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`component_id`, `day`),
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `component_uptime_days_day_idx` ON `component_uptime_days` (`day`);--> statement-breakpoint
CREATE TABLE `component_uptime_marks` (
	`component_id` integer PRIMARY KEY NOT NULL,
	`change_id` integer NOT NULL,
	`change_count` integer NOT NULL,
	`changed_at` integer NOT NULL,
	`status` text NOT NULL,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP INDEX `incidents_resolved_idx`;--> statement-breakpoint
CREATE INDEX `incidents_open_started_idx` ON `incidents` (`resolved_at`,`published`,`started_at`);--> statement-breakpoint
CREATE INDEX `incidents_open_created_idx` ON `incidents` (`resolved_at`,`published`,`created_at`);--> statement-breakpoint
CREATE INDEX `incidents_public_started_idx` ON `incidents` (`published`,`started_at`);--> statement-breakpoint
CREATE INDEX `incidents_public_created_idx` ON `incidents` (`published`,`created_at`);--> statement-breakpoint
CREATE INDEX `incidents_public_updated_idx` ON `incidents` (`published`,`updated_at`);--> statement-breakpoint
CREATE INDEX `maintenances_updated_idx` ON `maintenances` (`updated_at`);