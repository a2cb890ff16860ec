-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 6: one provider account, one patient. A provider user id belongs to at most one link
-- that holds it (active, needs_reconsent or error: every state in which the link may sync
-- again); otherwise two EHR users' links fetch the same account and file its data in both
-- charts. Where earlier versions let duplicates in, the oldest link keeps the account and the
-- others are revoked, each with an audit entry naming the link that kept it.
INSERT INTO audit_log (time_us, actor, action, detail)
SELECT CAST((julianday ('now') - 2440587.5) * 86400000000 AS INTEGER), 'migration 0006',
	'link-revoke',
	'link ' || l.id || ' of user ' || l.user_id || ': ' || l.provider ||
	' account already linked by link ' || (
		SELECT k.id FROM links k
		WHERE k.provider = l.provider AND k.external_user_id = l.external_user_id AND
			k.state IN ('active', 'needs_reconsent', 'error')
		ORDER BY k.created_us, k.rowid LIMIT 1
	)
FROM links l
WHERE l.external_user_id IS NOT NULL AND l.state IN ('active', 'needs_reconsent', 'error') AND
	EXISTS (
		SELECT 1 FROM links o
		WHERE o.provider = l.provider AND o.external_user_id = l.external_user_id AND
			o.state IN ('active', 'needs_reconsent', 'error') AND
			(o.created_us < l.created_us OR
			 (o.created_us = l.created_us AND o.rowid < l.rowid))
	);

UPDATE links SET state = 'revoked', token = NULL,
	updated_us = CAST((julianday ('now') - 2440587.5) * 86400000000 AS INTEGER)
WHERE external_user_id IS NOT NULL AND state IN ('active', 'needs_reconsent', 'error') AND
	EXISTS (
		SELECT 1 FROM links o
		WHERE o.provider = links.provider AND o.external_user_id = links.external_user_id AND
			o.state IN ('active', 'needs_reconsent', 'error') AND
			(o.created_us < links.created_us OR
			 (o.created_us = links.created_us AND o.rowid < links.rowid))
	);

CREATE UNIQUE INDEX links_one_account ON links (provider, external_user_id)
	WHERE external_user_id IS NOT NULL AND state IN ('active', 'needs_reconsent', 'error');
