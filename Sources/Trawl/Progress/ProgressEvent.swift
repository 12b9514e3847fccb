/// What happens during a crawl, as the coordinator tells its observers. Sent without waiting on anyone.
public enum ProgressEvent: Sendable {
    /// The number of URL lines in the input became known (a file's fast line count).
    case inputTotal(Int)
    /// This many more input lines were skipped because their URL already has a record in the output
    /// (`--resume`); they count as done towards the input total. Sent as the input is read: the counts add up.
    case resumed(Int)
    /// This many more input lines were read and left out: repeats of an earlier line, or lines of another
    /// shard. They leave the input total. Sent as the input is read: the counts add up.
    case skipped(Int)
    /// An attempt's request started on `host`.
    case attemptStarted(host: String)
    /// An attempt ended with an HTTP status or a transport error.
    case attemptFinished(host: String, status: Int?, error: ErrorKind?)
    /// A URL began waiting before its next attempt, holding no slot, until `until` at the latest (a reading of
    /// the run's clock).
    case waitStarted(host: String, reason: WaitReason, until: Duration)
    /// A URL stopped waiting.
    case waitEnded(host: String)
    /// A host was paused by a `Retry-After` until `until` (a reading of the run's clock).
    case hostPaused(host: String, until: Duration)
    /// A URL's final record was written.
    case recorded(ok: Bool, status: Int?, error: ErrorKind?, attempts: Int)

    /// Why a URL waits.
    public enum WaitReason: Sendable {
        /// Its own backoff schedule.
        case backoff
        /// A `Retry-After` from the server in answer to this URL (a retry).
        case retryAfter
        /// Its host is paused (another URL's `Retry-After`); not a retry of this URL.
        case hostPause
    }
}
