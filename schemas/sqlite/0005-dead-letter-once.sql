-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 5: an item is dead-lettered once per link and reason. A batch that is retried after a
-- failure meets the same refused items again; they must not pile up as copies. Dead letters
-- of whole jobs (no item) are kept one per event.
DELETE FROM dead_letters
WHERE item IS NOT NULL AND rowid NOT IN (
	SELECT min(rowid) FROM dead_letters WHERE item IS NOT NULL
	GROUP BY link_id, item, reason
);
CREATE UNIQUE INDEX dead_letters_once ON dead_letters (link_id, item, reason)
	WHERE item IS NOT NULL;
