/** What the aggregates put on the bus: the detail-types of its entries. Rules match them with the aggregate's source. */

/** A commit: every event one command produced. */
export const COMMIT_DETAIL_TYPE = 'Commit';
/** A request to notify a settled command's outcome again (a retry of it was sent). */
export const RENOTIFY_DETAIL_TYPE = 'Renotify';
