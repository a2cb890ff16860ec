-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 12: reserved for a migration developed alongside 0013; that file replaces this
-- one. Migrations are applied without gaps, so the number is held by an empty step.
SELECT 1;
