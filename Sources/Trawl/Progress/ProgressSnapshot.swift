/// The progress numbers at one moment: what the live line, the log lines and the summary are drawn from.
///
/// Record-level counts (`finished`, `ok`, `failed`, `statusCounts`, `noStatus`, `errorCounts`,
/// `recordedRetries`) come from `.recorded` events only, so they match the NDJSON output exactly.
/// Attempt-level counts (`inFlight`, `attempts`, `tooManyRequests`, `retries`, `waiting`) are live.
public struct ProgressSnapshot: Sendable, Equatable {
    /// URL lines in the input still to be accounted for, when known: a file's count of URL lines, less the
    /// repeated lines and other shards' lines read so far (``ProgressEvent/skipped(_:)``); `nil` for standard
    /// input.
    public var total: Int?
    /// Input lines whose URL already had a record in the output (`--resume`): not fetched again.
    public var resumed = 0
    /// Records written.
    public var finished = 0
    /// Records with `ok: true`.
    public var ok = 0
    /// Records with `ok: false`.
    public var failed: Int { finished - ok }
    /// Attempts (including redirect hops) under way now.
    public var inFlight = 0
    /// URLs waiting now (backoff, `Retry-After` or a paused host), holding no slot.
    public var waiting = 0
    /// While URLs wait, how long until the last of them may start its next attempt; `nil` when none waits.
    public var longestWait: Duration?
    /// Retries so far: each time a URL began waiting for another attempt (not counting host pauses).
    public var retries = 0
    /// Retries of recorded URLs: the sum of `attempts - 1` over the records.
    public var recordedRetries = 0
    /// Attempts finished (each redirect hop counts), the "requests" of the request rate.
    public var attempts = 0
    /// Attempts answered with status 429 Too Many Requests.
    public var tooManyRequests = 0
    /// Records by final HTTP status.
    public var statusCounts: [Int: Int] = [:]
    /// Records without an HTTP status (the request never got an answer, or the line was invalid).
    public var noStatus = 0
    /// Failed records by error kind: the `error.kind` value, or `status 404` for a `status` failure.
    public var errorCounts: [String: Int] = [:]
    /// Hosts paused by a `Retry-After` now, longest remaining pause first.
    public var pausedHosts: [PausedHost] = []
    /// Time since the reporter started.
    public var elapsed: Duration = .zero
    /// Attempts finished per second over the last few seconds.
    public var requestRate = 0.0
    /// Records written per second over the last few seconds.
    public var finishRate = 0.0
    /// Records written per second over the last two seconds or so; nil until that long has been watched.
    public var recentFinishRate: Double?

    /// A host paused by a `Retry-After`.
    public struct PausedHost: Sendable, Equatable {
        /// The host name as the crawl keys it: lower-cased, an internationalized name in its `xn--` form (not
        /// sanitized).
        public var host: String
        /// How long the pause still lasts.
        public var remaining: Duration

        /// Creates a paused host.
        public init(host: String, remaining: Duration) {
            self.host = host
            self.remaining = remaining
        }
    }

    /// An empty snapshot.
    public init() {}

    /// Records per second over the whole run.
    public var meanRate: Double {
        let seconds = Self.seconds(elapsed)
        return seconds > 0 ? Double(finished) / seconds : 0
    }

    /// `ok` as a percentage of `finished`, or `nil` before the first record.
    public var successPercent: Double? {
        finished > 0 ? Double(ok) * 100 / Double(finished) : nil
    }

    /// Input URLs with a record: written by this run, or already in the output (`resumed`).
    public var done: Int { resumed + finished }

    /// `done` as a percentage of `total` (at most 100), or `nil` when the total is unknown.
    public var donePercent: Double? {
        guard let total else { return nil }
        guard total > 0 else { return 100 }
        return min(100, Double(done) * 100 / Double(total))
    }

    /// The time left at the recent record rate (the slower of the last few seconds' and the last two's, so a
    /// slowing tail shows soon), but never less than ``longestWait`` (that URL cannot finish before its wait
    /// ends, however fast the rest went); `nil` when it cannot be told, as when nothing was recorded in the last
    /// two seconds. A paused host alone does not count: its last URL may have failed on the answer that paused
    /// it.
    public var estimatedRemaining: Duration? {
        guard let total else { return nil }
        let remaining = total - done
        if remaining <= 0 { return .zero }
        var rate = finishRate > 0 ? finishRate : meanRate
        if let recentFinishRate { rate = min(rate, recentFinishRate) }
        guard rate > 0 else { return nil }
        let seconds = Double(remaining) / rate
        guard seconds < 1e9 else { return nil }
        let estimate = Duration.milliseconds(Int64(seconds * 1000))
        return max(estimate, longestWait ?? .zero)
    }

    /// Status counts ordered by count (largest first), then by status.
    public var statusHistogram: [(status: Int, count: Int)] {
        statusCounts.map { (status: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.status < $1.status }
    }

    /// Error counts ordered by count (largest first), then by name.
    public var errorHistogram: [(kind: String, count: Int)] {
        errorCounts.map { (kind: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.kind < $1.kind }
    }
}

extension ProgressSnapshot {
    /// `duration` in seconds, as a `Double`.
    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
