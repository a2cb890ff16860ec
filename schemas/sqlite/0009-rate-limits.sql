-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 9: provider rate limits shared by every process using the store. One row per
-- request admitted under a budget (e.g. `withings:app`, `fitbit:user:LINK`), stamped with
-- when its answer arrived (first with when it was sent). A request is admitted only while
-- fewer rows than the budget allows fall into the window ending now; rows older than the
-- window are deleted as budgets are consulted. No health data, no tokens.
CREATE TABLE rate_limit_events (
	bucket TEXT NOT NULL,
	ticket INTEGER NOT NULL,
	at_us INTEGER NOT NULL
);
CREATE INDEX rate_limit_events_window ON rate_limit_events (bucket, at_us);
CREATE INDEX rate_limit_events_ticket ON rate_limit_events (ticket);
