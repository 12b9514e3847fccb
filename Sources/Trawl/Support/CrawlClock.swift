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
        reading = { origin.duration(to: clock.now) }
        sleeper = { deadline in try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil) }
    }

    /// The real, continuous clock.
    public static var continuous: CrawlClock { CrawlClock(ContinuousClock()) }

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
