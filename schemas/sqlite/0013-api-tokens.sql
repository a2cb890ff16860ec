-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 13: the REST API's bearer tokens get a checked scope and, for user tokens, the EHR
-- user they belong to. Version 1 created api_tokens with free-form scopes that nothing gave a
-- meaning; such rows are kept for the record but revoked, with the closest scope.
-- token_hash holds the lowercase hex SHA-256 of the whole token text: the token itself is
-- shown once, when it is created. A user token goes with its user.
ALTER TABLE api_tokens ADD COLUMN scope TEXT
	CHECK (scope IS NULL OR scope IN ('admin', 'operator', 'user'));
ALTER TABLE api_tokens ADD COLUMN user_id TEXT REFERENCES users (id) ON DELETE CASCADE;
UPDATE api_tokens
	SET scope = CASE WHEN scopes LIKE '%admin%' THEN 'admin' ELSE 'operator' END,
	    revoked_us = COALESCE(revoked_us, created_us);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
