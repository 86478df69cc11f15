ALTER TABLE `incident_updates` ADD `edited_at` integer;--> statement-breakpoint
CREATE INDEX `incident_update_components_component_idx` ON `incident_update_components` (`component_id`,`update_id`);