-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 13: bearer tokens of the REST API. Only the SHA-256 of a token is kept; the token
-- itself is shown once, when it is created. A user token belongs to one EHR user and sees
-- only that user's data; it goes with the user. A revoked token keeps its row, so the list
-- shows who had access and when it ended.
CREATE TABLE api_tokens (
	id TEXT PRIMARY KEY NOT NULL,
	name TEXT NOT NULL,
	scope TEXT NOT NULL CHECK (scope IN ('admin', 'operator', 'user')),
	user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
	-- lowercase hex SHA-256 of the whole token text
	hash TEXT NOT NULL UNIQUE,
	created_us INTEGER NOT NULL,
	revoked_us INTEGER,
	CHECK ((scope = 'user') = (user_id IS NOT NULL))
);
