-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 10: the scheduler. Jobs are made by triggers (link activated, incremental, push,
-- nightly) instead of by hand only, and several ohed processes may share this store.

-- Backfill now runs before the nightly reconciliation: the priority values 2 and 3 swap
-- (2 was nightly and 3 backfill; now 2 is backfill and 3 nightly).
UPDATE jobs SET priority = CASE priority WHEN 2 THEN 3 WHEN 3 THEN 2 ELSE priority END
WHERE priority IN (2, 3);

-- How often a user's links are synced from their cursors when no push arrives.
ALTER TABLE users ADD COLUMN sync_frequency TEXT NOT NULL DEFAULT 'hourly'
	CHECK (sync_frequency IN ('realtime', 'hourly', 'daily'));

-- Who fires the triggers: one row per lease, held by one process until it expires. A
-- process takes a lease that is free, expired or already its own, in one statement.
CREATE TABLE scheduler_leases (
	name TEXT PRIMARY KEY NOT NULL,
	holder TEXT NOT NULL,
	acquired_us INTEGER NOT NULL,
	expires_us INTEGER NOT NULL
);

-- When each trigger fires next or last fired (nightly, incremental:<link id>), so a restart
-- or another process taking the lease neither repeats nor skips one.
CREATE TABLE scheduler_marks (
	name TEXT PRIMARY KEY NOT NULL,
	value_us INTEGER NOT NULL,
	updated_us INTEGER NOT NULL
);

-- The initial backfill of a link: planned once (the row's existence says so), progress in
-- windows and acknowledged measurements. Counts only, never values.
CREATE TABLE backfill_progress (
	link_id TEXT PRIMARY KEY NOT NULL REFERENCES links (id) ON DELETE CASCADE,
	window_start_us INTEGER NOT NULL,
	window_end_us INTEGER NOT NULL,
	windows_total INTEGER NOT NULL CHECK (windows_total >= 0),
	windows_done INTEGER NOT NULL DEFAULT 0 CHECK (windows_done >= 0),
	measurements INTEGER NOT NULL DEFAULT 0 CHECK (measurements >= 0),
	started_us INTEGER NOT NULL,
	updated_us INTEGER NOT NULL
);

-- The backfill windows already counted in windows_done, so a window whose job runs again
-- (the process died after counting it, before its job was removed) is not counted twice.
CREATE TABLE backfill_windows_done (
	link_id TEXT NOT NULL REFERENCES backfill_progress (link_id) ON DELETE CASCADE,
	window_start_us INTEGER NOT NULL,
	PRIMARY KEY (link_id, window_start_us)
);
