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
    /// How many requests per second the pace gains each second while the server accepts it.
    private let growth: Double
    private var tat: Duration = .zero
    private var lastCut: Duration?

    /// The slowest pace trawl falls to by itself (a fixed `--rate` may be slower).
    static let minimumRate = 0.2

    /// A fixed limit of `limit` starts per second (`--rate`), kept as the server will count it.
    ///
    /// The server sees each start after a network delay that varies: the first requests of a run open their
    /// connections while later ones reuse them, so a burst can arrive late and the next request on time. To
    /// hold a bucket of `limit` tokens at `limit` per second *as the server sees it*, trawl keeps one token
    /// and 2% of the rate in hand: a burst of `limit - 1` (at least 1) at 98% of the rate.
    init(limit: Double, adaptive: Bool) {
        self.init(rate: limit * 0.98, burst: max(1, limit - 1), adaptive: adaptive, limit: limit * 0.98)
    }

    /// A pace of `rate` per second with bursts of at most `burst` starts (never above `rate`).
    ///
    /// An adaptive pace starts at `now` (pushback echoes in the next second do not cut it again) and grows by
    /// a fifth of its starting rate each second (at least one request per second each second): from an
    /// estimate made while the server absorbed a start-up burst, it reaches twice that estimate in five
    /// seconds without overshooting wildly.
    init(rate: Double, burst: Double, adaptive: Bool, limit: Double?, now: Duration = .zero) {
        // The floor is for learned paces: a fixed limit below it (`--rate 0.1`) is the user's to set.
        self.rate = max(min(Self.minimumRate, limit ?? Self.minimumRate), rate)
        self.burst = max(1, min(burst, rate.rounded(.down)))
        self.adaptive = adaptive
        self.limit = limit
        growth = max(1, rate * 0.2)
        if adaptive { lastCut = now }
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
    /// flight when the server pushed back are one event, not many).
    ///
    /// `served` is what the host answered with success over the last second. While trawl overshoots a limit
    /// that is close to the server's limit (plus a share of the burst it absorbed), so the cut lands just
    /// under it instead of searching down in many costly steps. When the host served less than half the pace
    /// (the second held a pause, or the server is slow rather than limited) that figure says nothing about
    /// the limit, and the cut is a plain 15%.
    mutating func pushedBack(now: Duration, served: Double) {
        guard adaptive else { return }
        if let lastCut, now - lastCut < .seconds(1) { return }
        lastCut = now
        let before = rate
        if served >= rate * 0.5 {
            rate = max(Self.minimumRate, min(rate * 0.85, served * 0.95))
            ceiling = max(rate, min(served, before))
        } else {
            rate = max(Self.minimumRate, rate * 0.85)
            ceiling = before
        }
        if let limit { rate = min(rate, limit) }
    }

    /// Additive increase after a success: `growth` requests per second each second, a fifth of that within
    /// 10% of the ceiling where the server last pushed back.
    mutating func succeeded() {
        guard adaptive else { return }
        let nearCeiling = ceiling.map { rate >= $0 * 0.9 } ?? false
        rate += (nearCeiling ? growth * 0.2 : growth) / rate
        if let limit { rate = min(rate, limit) }
    }
}

/// Successes per second on one host over the last second or so, from two one-second buckets.
struct RateMeter {
    /// How far back the meter looks: after this long without a success it reads 0.
    static let window = Duration.seconds(2)

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
        if elapsed >= Self.window {
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
