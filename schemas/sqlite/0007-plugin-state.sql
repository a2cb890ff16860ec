-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 7: small facts a plugin learns at run time and keeps between runs and processes
-- (ohe_plugin_save_state()), e.g. the entry limit a FHIR server enforces. Never health data
-- and never secrets.
CREATE TABLE plugin_state (
	plugin TEXT NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	updated_us INTEGER NOT NULL,
	PRIMARY KEY (plugin, key)
);
