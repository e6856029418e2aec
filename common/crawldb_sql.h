/* crawldb_sql.h -- the SQLite handle under a crawl database, for the modules that keep their own tables in it (rewardsdb). */
#ifndef AGENTCHAIN_CRAWLDB_SQL_H
#define AGENTCHAIN_CRAWLDB_SQL_H

#include <sqlite3.h>

struct crawldb;

/* DB's handle; owned by DB, valid until crawldb_close.  Callers keep to
 * their own tables and statements; batches stay crawldb_begin/commit's. */
sqlite3 *crawldb_sqlite(struct crawldb *db);

#endif
