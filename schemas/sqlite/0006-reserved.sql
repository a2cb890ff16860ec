-- SPDX-License-Identifier: LGPL-2.1-or-later
--
-- Version 6 is reserved for the provider account binding of links; this placeholder keeps
-- the version numbers contiguous until that migration lands and replaces this file.
SELECT 1;
