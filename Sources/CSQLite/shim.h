#include <sqlite3.h>

/// Turns SQLite's memory statistics off, process-wide; only possible before SQLite initializes (SQLITE_MISUSE
/// after). With them on, every allocation SQLite makes takes one global mutex, which connections used on different
/// threads then contend on. `sqlite3_config` is variadic, which Swift cannot call, hence this shim.
static inline int tandem_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
