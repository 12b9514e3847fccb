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

    /// An empty summary.
    public init() {}
}
