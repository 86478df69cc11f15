ALTER TABLE `notifications` ADD `request_id` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `request_id` text;