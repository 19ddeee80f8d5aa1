ALTER TABLE `job_items_log` ADD `flags_json` text;--> statement-breakpoint
ALTER TABLE `job_items_log` ADD `needs_review` integer DEFAULT 0 NOT NULL;