/// The totals of a finished (or stopped) run.
public struct CrawlSummary: Sendable, Equatable {
    /// Records written.
    public var records = 0
    /// Records with `ok: true`.
    public var succeeded = 0
    /// Records with `ok: false`.
    public var failed: Int { records - succeeded }
    /// Lines of this input skipped because their URL already had a record (resume) that says `ok: false`: the
    /// job as a whole has failures even when every URL this run fetched succeeded.
    public var resumedFailed = 0
    /// Whether the run was stopped before the input was exhausted.
    public var interrupted = false
    /// The `errno` of a read of the input that failed: the run then ended early, as if interrupted (its records
    /// are partial; a resume finishes the job once the input reads again).
    public var inputReadError: Int32?

    /// An empty summary.
    public init() {}
}
