-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 4: OAuth2 authorizations in progress. A row lives from the authorize URL until the
-- provider redirects back (or until it expires): the state is used once, and the PKCE
-- verifier is deleted together with it.
CREATE TABLE oauth_states (
	state TEXT PRIMARY KEY NOT NULL,
	link_id TEXT NOT NULL REFERENCES links (id) ON DELETE CASCADE,
	code_verifier TEXT,
	redirect_uri TEXT,
	created_us INTEGER NOT NULL
);
CREATE INDEX oauth_states_created ON oauth_states (created_us);
