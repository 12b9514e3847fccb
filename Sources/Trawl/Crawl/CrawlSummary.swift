/// The totals of a finished (or stopped) run.
public struct CrawlSummary: Sendable, Equatable {
    /// Records written.
    public var records = 0
    /// Records with `ok: true`.
    public var succeeded = 0
    /// Records with `ok: false`.
    public var failed: Int { records - succeeded }
    /// Whether the run was stopped before the input was exhausted.
    public var interrupted = false

    /// An empty summary.
    public init() {}
}
