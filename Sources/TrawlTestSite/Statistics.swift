import Synchronization

/// Everything the site counts, behind one lock: the request log, in-flight gauges, per-path script counters and
/// per-host rate limiter buckets.
final class Statistics: Sendable {
    private struct State {
        var log: [LoggedRequest] = []
        var inFlight: [String: Int] = [:]
        var maxInFlight: [String: Int] = [:]
        var totalInFlight = 0
        var totalMaxInFlight = 0
        var pathCounters: [String: Int] = [:]
        var buckets: [String: TokenBucket] = [:]
        var nextConnectionID = 1
    }

    private let state = Mutex(State())

    /// A fresh identifier for a newly accepted connection.
    func nextConnectionID() -> Int {
        state.withLock { state in
            defer { state.nextConnectionID += 1 }
            return state.nextConnectionID
        }
    }

    /// Logs a request whose head was fully read and counts it as in flight until `finish(host:)`.
    func begin(_ request: LoggedRequest) {
        state.withLock { state in
            state.log.append(request)
            let host = request.host
            let current = state.inFlight[host, default: 0] + 1
            state.inFlight[host] = current
            state.maxInFlight[host] = max(state.maxInFlight[host, default: 0], current)
            state.totalInFlight += 1
            state.totalMaxInFlight = max(state.totalMaxInFlight, state.totalInFlight)
        }
    }

    /// Ends the in-flight period of a request begun on `host`.
    func finish(host: String) {
        state.withLock { state in
            state.inFlight[host, default: 1] -= 1
            state.totalInFlight -= 1
        }
    }

    /// Counts one more request against a script key and returns the new count (1 for the first request).
    func bump(_ key: String) -> Int {
        state.withLock { state in
            state.pathCounters[key, default: 0] += 1
            return state.pathCounters[key]!
        }
    }

    /// Takes one token from `host`'s bucket of `rate` tokens refilled at `rate` per second; false when empty.
    func takeToken(host: String, rate: Double, now: ContinuousClock.Instant) -> Bool {
        state.withLock { state in
            var bucket = state.buckets[host] ?? TokenBucket(rate: rate, now: now)
            let taken = bucket.take(rate: rate, now: now)
            state.buckets[host] = bucket
            return taken
        }
    }

    func requests() -> [LoggedRequest] {
        state.withLock { $0.log }
    }

    func requestCount(path: String?, host: String?) -> Int {
        let path = path.map { $0.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }
        return state.withLock { state in
            state.log.reduce(0) { count, request in
                let matches = (path == nil || request.path[...] == path) && (host == nil || request.host == host)
                return matches ? count + 1 : count
            }
        }
    }

    func maxInFlight(host: String?) -> Int {
        state.withLock { state in
            guard let host else { return state.totalMaxInFlight }
            return state.maxInFlight[host, default: 0]
        }
    }

    func inFlight(host: String?) -> Int {
        state.withLock { state in
            guard let host else { return state.totalInFlight }
            return state.inFlight[host, default: 0]
        }
    }

    /// Clears the log, the script counters and the buckets; peaks restart from what is in flight now.
    func reset() {
        state.withLock { state in
            state.log = []
            state.pathCounters = [:]
            state.buckets = [:]
            state.maxInFlight = state.inFlight
            state.totalMaxInFlight = state.totalInFlight
        }
    }
}
