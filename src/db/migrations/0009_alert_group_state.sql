ALTER TABLE `alert_groups` ADD `firing` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `alert_groups` ADD `components` text DEFAULT '[]' NOT NULL;