-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 2: who did what to which link or token, for operators and auditors. The detail
-- names objects by id and never carries a secret or a health value.

CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	time_us INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	detail TEXT
);
CREATE INDEX audit_log_time ON audit_log (time_us);
