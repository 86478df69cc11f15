CREATE TABLE `uptime_rollup_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
