/// The run's time source: a monotonic reading and a cancellable sleep, type-erased from any `Clock`.
///
/// Every wait trawl makes on purpose (backoff, Retry-After, host pauses) goes through it, so tests can run
/// a five-minute schedule in milliseconds with a test clock. Request deadlines stay on real time.
public struct CrawlClock: Sendable {
    private let reading: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    /// Wraps `clock`; readings are durations since this wrapper was made.
    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        let reading = { @Sendable in origin.duration(to: clock.now) }
        self.reading = reading
        sleeper = { deadline in
            // A clock's sleep counts nanoseconds in 64 bits: a deadline 292 years off (a policy's or server's
            // huge wait) would trap there. A century is as good as forever and fits.
            let latest = reading() + Self.longestSleep
            try await clock.sleep(until: origin.advanced(by: min(deadline, latest)), tolerance: nil)
        }
    }

    /// The longest one sleep lasts: a hundred years.
    static let longestSleep = Duration.seconds(100 * 365 * 86_400)

    /// The real, continuous clock: one for the whole process, so a crawler and a reporter that both take the
    /// default read the same time, and the deadlines one reports are readings of the other's clock.
    public static let continuous = CrawlClock(ContinuousClock())

    /// Time since the clock was made.
    public var now: Duration { reading() }

    /// Sleeps until `deadline` (a reading of ``now``).
    /// - Throws: `CancellationError` when the task is cancelled.
    public func sleep(until deadline: Duration) async throws {
        try await sleeper(deadline)
    }

    /// Sleeps for `duration`.
    public func sleep(for duration: Duration) async throws {
        try await sleeper(now + duration)
    }
}
