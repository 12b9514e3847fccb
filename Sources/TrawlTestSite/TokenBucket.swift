/// A token bucket holding at most `max(rate, 1)` tokens, refilled at `rate` tokens per second.
struct TokenBucket: Sendable {
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    init(rate: Double, now: ContinuousClock.Instant) {
        tokens = max(rate, 1)
        updated = now
    }

    /// Refills for the time elapsed since the last call, then takes one token if there is one.
    mutating func take(rate: Double, now: ContinuousClock.Instant) -> Bool {
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        tokens = min(max(rate, 1), tokens + max(0, seconds) * rate)
        updated = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
