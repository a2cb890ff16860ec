-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Embedded store, version 1.
--
-- ohed keeps configuration, tokens, cursors and job descriptors only: no table here may ever
-- hold a health value. Times are microseconds since the epoch (UTC), ids are text, so the
-- PostgreSQL schema can mirror this one column for column.
--
-- The daemon runs each migration inside its own transaction and records it in schema_version:
-- a migration file must not contain BEGIN, COMMIT or PRAGMA statements. Once released, a
-- migration file never changes; fix mistakes with a new file.

-- EHR users: the patient a link belongs to.
CREATE TABLE users (
	id TEXT PRIMARY KEY NOT NULL,
	patient_reference TEXT NOT NULL,
	created_us INTEGER NOT NULL
);

-- Provider links: one per user and provider.
CREATE TABLE links (
	id TEXT PRIMARY KEY NOT NULL,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	provider TEXT NOT NULL,
	external_user_id TEXT,
	state TEXT NOT NULL
		CHECK (state IN ('pending', 'active', 'needs_reconsent', 'revoked', 'error')),
	-- the consented kind names, comma-separated
	kinds TEXT NOT NULL DEFAULT '',
	-- sealed by the daemon before it gets here; never a plaintext token
	token BLOB,
	created_us INTEGER NOT NULL,
	updated_us INTEGER NOT NULL,
	UNIQUE (user_id, provider)
);
-- webhooks name the provider's user id, not ours
CREATE INDEX links_provider_external_user ON links (provider, external_user_id);

-- Per link and data stream, the position up to which the sink acknowledged everything.
CREATE TABLE cursors (
	link_id TEXT NOT NULL REFERENCES links (id) ON DELETE CASCADE,
	stream TEXT NOT NULL,
	cursor TEXT NOT NULL,
	updated_us INTEGER NOT NULL,
	PRIMARY KEY (link_id, stream)
);

-- Sync job descriptors of the embedded job queue. No foreign key to links: a job must be
-- storable even if its link is deleted meanwhile; it then fails with NOT_FOUND when it runs.
CREATE TABLE jobs (
	id TEXT PRIMARY KEY NOT NULL,
	link_id TEXT NOT NULL,
	provider TEXT NOT NULL,
	kinds TEXT NOT NULL DEFAULT '',
	window_start_us INTEGER NOT NULL DEFAULT 0,
	window_end_us INTEGER NOT NULL DEFAULT 0,
	priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
	reason TEXT,
	attempts INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL DEFAULT 5,
	not_before_us INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
	last_error TEXT,
	created_us INTEGER NOT NULL
);
CREATE INDEX jobs_order ON jobs (priority, not_before_us, created_us);

-- What could not be delivered and why: a descriptor of the item, never its value. Kept when
-- the link goes away, for the audit trail.
CREATE TABLE dead_letters (
	id TEXT PRIMARY KEY NOT NULL,
	job_id TEXT,
	link_id TEXT,
	item TEXT,
	reason TEXT NOT NULL,
	created_us INTEGER NOT NULL
);
CREATE INDEX dead_letters_created ON dead_letters (created_us);

-- REST bearer tokens, stored as hashes only.
CREATE TABLE api_tokens (
	id TEXT PRIMARY KEY NOT NULL,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	scopes TEXT NOT NULL DEFAULT '',
	created_us INTEGER NOT NULL,
	expires_us INTEGER,
	last_used_us INTEGER,
	revoked_us INTEGER
);
