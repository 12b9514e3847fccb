/// Paces request starts on one host (or on all hosts together): a GCRA token bucket whose rate is either
/// fixed (`--rate`) or learned by AIMD from the server's pushback.
///
/// GCRA with emission interval `T = 1/rate` and tolerance `τ = (burst - 1)·T`: a start at `t` conforms when
/// `t >= tat - τ`, and moves the theoretical arrival time to `max(tat, t) + T`. Any sequence of starts it
/// allows also conforms to a token bucket of `burst` tokens refilled at `rate`.
struct HostPacing {
    /// Requests per second.
    private(set) var rate: Double
    /// The most starts allowed back to back.
    let burst: Double
    /// The fixed upper limit (`--rate`), if any.
    let limit: Double?
    /// Whether AIMD moves the rate.
    let adaptive: Bool
    /// The rate at which the server last pushed back: the additive increase slows near it.
    private(set) var ceiling: Double?
    private var tat: Duration = .zero
    private var lastCut: Duration?

    /// The slowest pace trawl falls to.
    static let minimumRate = 0.2

    /// A fixed pace of `rate` per second with bursts of at most `burst` starts (never above `rate`).
    init(rate: Double, burst: Double, adaptive: Bool, limit: Double?) {
        self.rate = max(Self.minimumRate, rate)
        self.burst = max(1, min(burst, rate.rounded(.down)))
        self.adaptive = adaptive
        self.limit = limit
    }

    private var interval: Duration { .nanoseconds(Int64(1e9 / rate)) }

    /// The earliest instant a start conforms.
    func nextStart() -> Duration {
        tat - interval * (burst - 1)
    }

    /// Whether a start at `now` conforms.
    func allows(_ now: Duration) -> Bool {
        now >= nextStart()
    }

    /// Accounts for a start at `now`.
    mutating func consume(_ now: Duration) {
        tat = max(tat, now) + interval
    }

    /// No start before `instant` (a Retry-After pause); afterwards starts resume one interval apart.
    mutating func hold(until instant: Duration) {
        tat = max(tat, instant + interval * (burst - 1))
    }

    /// Multiplicative decrease after a 429 or 503, at most once per second (the answers to requests already in
    /// flight when the server pushed back are one event, not many). The pace at the pushback becomes the
    /// ceiling the additive increase slows down under.
    mutating func pushedBack(now: Duration) {
        guard adaptive else { return }
        if let lastCut, now - lastCut < .seconds(1) { return }
        lastCut = now
        ceiling = rate
        rate = max(Self.minimumRate, rate * 0.85)
        if let limit { rate = min(rate, limit) }
    }

    /// Additive increase after a success. Before any ceiling is known the pace grows by 50% a second (the first
    /// estimate is low when the server absorbed a start-up burst); under the ceiling by 5% a second, and by 1%
    /// within 10% of it.
    mutating func succeeded() {
        guard adaptive else { return }
        let fraction: Double
        if let ceiling {
            fraction = rate < ceiling * 0.9 ? 0.05 : 0.01
        } else {
            fraction = 0.5
        }
        let perSecond = max(0.05, rate * fraction)
        rate += perSecond / rate
        if let limit { rate = min(rate, limit) }
    }
}

/// Successes per second on one host over the last second or so, from two one-second buckets.
struct RateMeter {
    private var bucketStart: Duration = .zero
    private var current = 0.0
    private var previous = 0.0

    mutating func count(_ now: Duration) {
        roll(now)
        current += 1
    }

    mutating func perSecond(_ now: Duration) -> Double {
        roll(now)
        let fraction = min(1, (now - bucketStart) / .seconds(1))
        return previous * (1 - fraction) + current
    }

    private mutating func roll(_ now: Duration) {
        let elapsed = now - bucketStart
        if elapsed >= .seconds(2) {
            previous = 0
            current = 0
            bucketStart = now
        } else if elapsed >= .seconds(1) {
            previous = current
            current = 0
            bucketStart += .seconds(1)
        }
    }
}
