-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Embedded store, version 12: organisation policies and the user's aggregation preference.
--
-- A policy narrows what an organisation's users send to the EHR: the kinds it allows (NULL:
-- every kind), the default aggregation (which, with aggregation_override, also beats the
-- user's own choice), the linked-data rules ("parent:child" kind names, comma-separated) and
-- the longest backfill in days (0: no limit). No health value is stored here.
CREATE TABLE organisation_policies (
	id TEXT PRIMARY KEY NOT NULL,
	allowed_kinds TEXT,
	aggregation TEXT NOT NULL DEFAULT 'individual'
		CHECK (aggregation IN ('individual', 'hourly')),
	aggregation_override INTEGER NOT NULL DEFAULT 0 CHECK (aggregation_override IN (0, 1)),
	linked TEXT NOT NULL DEFAULT 'ecg:heart_rate,rr_intervals:heart_rate',
	max_backfill_days INTEGER NOT NULL DEFAULT 0 CHECK (max_backfill_days >= 0),
	updated_us INTEGER NOT NULL
);

-- the organisation a user belongs to (NULL: none, so no policy) and the user's own choice of
-- aggregation (NULL: the organisation's default)
ALTER TABLE users ADD COLUMN organisation_id TEXT REFERENCES organisation_policies (id);
ALTER TABLE users ADD COLUMN aggregation TEXT
	CHECK (aggregation IS NULL OR aggregation IN ('individual', 'hourly'));
