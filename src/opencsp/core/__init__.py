"""Foundation shared by every domain: settings, database and unit of work, column types,
money, the error hierarchy, the clock, ids, HTTP shapes and paging. Knows no domain."""
