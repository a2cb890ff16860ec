-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 3: a trigger (webhook burst, repeated "sync now") carries a dedup key, so a job that
-- is still waiting absorbs the next trigger with the same key instead of queueing twice.

ALTER TABLE jobs ADD COLUMN dedup_key TEXT;
CREATE INDEX jobs_dedup_key ON jobs (dedup_key) WHERE dedup_key IS NOT NULL;
