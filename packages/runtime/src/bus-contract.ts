/** What the aggregates put on the bus: the detail-types of its entries. Rules match them with the aggregate's source. */

/** A commit: every event one command produced. */
export const COMMIT_DETAIL_TYPE = 'Commit';
/** A request to notify a settled command's outcome again (a retry of it was sent). */
export const RENOTIFY_DETAIL_TYPE = 'Renotify';
/**
 * A commit another aggregate's command handler publishes for this aggregate's stream (external
 * events): its events only. The storing aggregate's event handler folds the state itself.
 */
export const EXTERNAL_COMMIT_DETAIL_TYPE = 'ExternalCommit';
