-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 8: the job record says what became of every measurement a job fetched, per kind:
-- fetched, written, refused (dead-lettered) or filtered (not consented, not mapped by the
-- sink). Counts only, never values. The attempts of a retried job add up: a retry resumes
-- after what the earlier attempt acknowledged. No foreign key to jobs: a manual sync runs
-- without a queued job, and the record outlives the job descriptor.
CREATE TABLE job_outcomes (
	job_id TEXT NOT NULL,
	link_id TEXT,
	kind TEXT NOT NULL,
	outcome TEXT NOT NULL CHECK (outcome IN ('fetched', 'written', 'refused', 'filtered')),
	count INTEGER NOT NULL CHECK (count >= 0),
	updated_us INTEGER NOT NULL,
	PRIMARY KEY (job_id, kind, outcome)
);
CREATE INDEX job_outcomes_link ON job_outcomes (link_id);
