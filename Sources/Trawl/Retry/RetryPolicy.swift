/// Decides how long to wait before the next attempt of a URL, after an attempt that is worth retrying.
///
/// trawl ships ``ExponentialBackoff`` (the default), ``ConstantBackoff`` and ``RandomBackoff``; write your
/// own to plug in any schedule. A `Retry-After` header, when the server sends one on 429 or 503, takes
/// precedence over the policy.
public protocol RetryPolicy: Sendable {
    /// The wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
    func delay(afterAttempt attempt: Int) -> Duration
}

/// Exponential backoff with equal jitter: `d = min(maximum, base * 2^(n-1))`, then a wait drawn uniformly
/// from `[d/2, d]`.
public struct ExponentialBackoff: RetryPolicy {
    /// The un-jittered wait after the first attempt.
    public var base: Duration
    /// The cap on the un-jittered wait.
    public var maximum: Duration

    /// Creates the policy; defaults are trawl's: 0.5 s base, 30 s cap.
    public init(base: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.base = base
        self.maximum = maximum
    }

    /// The un-jittered wait `d` after attempt `attempt`.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 62)
        let seconds = min(maximum.seconds, base.seconds * Double(UInt64(1) << UInt64(exponent)))
        // Saturates, as Retry-After does: a base or cap beyond Int64 nanoseconds (292 years) means "that long".
        let nanoseconds = seconds * 1e9
        guard nanoseconds < 9.2e18 else { return .nanoseconds(Int64.max) }
        return .nanoseconds(Int64(max(nanoseconds, 0)))
    }

    public func delay(afterAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }

    /// The jittered wait, drawing from `generator` (for reproducible tests).
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(afterAttempt: attempt)
        let nanos = ceiling.nanoseconds
        guard nanos > 1 else { return ceiling }
        return .nanoseconds(Int64.random(in: (nanos / 2 + nanos % 2)...nanos, using: &generator))
    }
}

/// The same wait after every attempt.
public struct ConstantBackoff: RetryPolicy {
    /// The wait.
    public var interval: Duration

    /// Creates the policy.
    public init(_ interval: Duration) {
        self.interval = interval
    }

    public func delay(afterAttempt attempt: Int) -> Duration {
        interval
    }
}

/// A wait drawn uniformly from a range after every attempt.
public struct RandomBackoff: RetryPolicy {
    /// The shortest wait.
    public var minimum: Duration
    /// The longest wait.
    public var maximum: Duration

    /// Creates the policy.
    public init(minimum: Duration, maximum: Duration) {
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
    }

    public func delay(afterAttempt attempt: Int) -> Duration {
        .nanoseconds(Int64.random(in: minimum.nanoseconds...maximum.nanoseconds))
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }

    /// The duration in seconds as a `Double`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
