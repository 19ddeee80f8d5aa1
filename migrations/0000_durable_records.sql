CREATE TABLE `billing_events` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`amount` integer NOT NULL,
	`ref` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `billing_events_user_created_idx` ON `billing_events` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `job_items_log` (
	`job_id` text NOT NULL,
	`idx` integer NOT NULL,
	`status` text NOT NULL,
	`input_key` text NOT NULL,
	`output_key` text,
	`error` text,
	PRIMARY KEY(`job_id`, `idx`)
);
--> statement-breakpoint
CREATE TABLE `jobs_log` (
	`job_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` text NOT NULL,
	`finished_at` text,
	`status` text NOT NULL,
	`preset` text NOT NULL,
	`rule_id` text,
	`concepts_json` text NOT NULL,
	`protect_json` text NOT NULL,
	`params_json` text NOT NULL,
	`cost_estimate` integer NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `jobs_log_user_created_idx` ON `jobs_log` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `rules` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`preset_id` text NOT NULL,
	`concepts_json` text NOT NULL,
	`protect_json` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rules_user_created_idx` ON `rules` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`plan` text DEFAULT 'free' NOT NULL,
	`credits` integer DEFAULT 10 NOT NULL,
	`auth_provider` text DEFAULT 'anon' NOT NULL,
	`email` text,
	`device_hash` text
);
