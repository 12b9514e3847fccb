/// The counters every event updates, kept in a `Mutex` by the reporter. Fixed-size arrays instead of
/// dictionaries where it is cheap, so recording an event is a few additions and no hashing or allocation.
struct ProgressTally: Sendable {
    private static let statusSlots = 600
    private static let kinds = ErrorKind.allCases

    var total: Int?
    var resumed = 0
    /// Input lines left out (repeats, other shards), taken off `total`.
    var skipped = 0
    var finished = 0
    var ok = 0
    var inFlight = 0
    var waiting = 0
    var retries = 0
    var recordedRetries = 0
    var attempts = 0
    var tooManyRequests = 0
    var noStatus = 0
    /// Records by final status (index = status), for statuses below 600.
    var statuses = [Int](repeating: 0, count: statusSlots)
    /// Failed records of kind `status` by status (index = status), for statuses below 600.
    var failedStatuses = [Int](repeating: 0, count: statusSlots)
    /// Failed records by kind (index into `ErrorKind.allCases`), other than `status` with a status.
    var kinds = [Int](repeating: 0, count: kinds.count)
    /// Statuses outside 0..<600, and `status` failures with those statuses; rare.
    var oddStatuses: [Int: Int] = [:]
    var oddFailedStatuses: [Int: Int] = [:]
    /// Paused hosts and when their pause ends (a reading of the run's clock).
    var pauses: [String: Duration] = [:]
    /// The latest end of a wait started so far (a reading of the run's clock): every wait ends by its own end,
    /// so while URLs wait, the last of them may start its next attempt no later than this.
    var lastWaitEnd = Duration.zero

    mutating func apply(_ event: ProgressEvent) {
        switch event {
        case .attemptStarted:
            inFlight += 1
        case .attemptFinished(_, let status, _):
            inFlight -= 1
            attempts += 1
            if status == 429 { tooManyRequests += 1 }
        case .waitStarted(_, let reason, let until):
            waiting += 1
            if reason != .hostPause { retries += 1 }
            lastWaitEnd = max(lastWaitEnd, until)
        case .waitEnded:
            waiting -= 1
        case .recorded(let ok, let status, let error, let attempts):
            record(ok: ok, status: status, error: error, attempts: attempts)
        case .hostPaused(let host, let until):
            if let current = pauses[host], current >= until { break }
            pauses[host] = until
        case .inputTotal(let count):
            total = count
        case .resumed(let count):
            resumed += count
        case .skipped(let count):
            skipped += count
        }
    }

    private mutating func record(ok: Bool, status: Int?, error: ErrorKind?, attempts: Int) {
        finished += 1
        if ok { self.ok += 1 }
        recordedRetries += max(0, attempts - 1)
        if let status {
            if status >= 0, status < Self.statusSlots {
                statuses[status] += 1
            } else {
                oddStatuses[status, default: 0] += 1
            }
        } else {
            noStatus += 1
        }
        guard !ok, let error else { return }
        if error == .status, let status {
            if status >= 0, status < Self.statusSlots {
                failedStatuses[status] += 1
            } else {
                oddFailedStatuses[status, default: 0] += 1
            }
        } else if let index = Self.kinds.firstIndex(of: error) {
            kinds[index] += 1
        }
    }

    /// Drops pauses that ended by `now`.
    mutating func prunePauses(now: Duration) {
        if pauses.isEmpty { return }
        pauses = pauses.filter { $0.value > now }
    }

    /// The numbers as a snapshot, with `now` (the run clock) deciding which hosts are still paused.
    func snapshot(now: Duration) -> ProgressSnapshot {
        var snapshot = ProgressSnapshot()
        snapshot.total = total.map { max(0, $0 - skipped) }
        snapshot.resumed = resumed
        snapshot.finished = finished
        snapshot.ok = ok
        snapshot.inFlight = max(0, inFlight)
        snapshot.waiting = max(0, waiting)
        if waiting > 0 && lastWaitEnd > now { snapshot.longestWait = lastWaitEnd - now }
        snapshot.retries = retries
        snapshot.recordedRetries = recordedRetries
        snapshot.attempts = attempts
        snapshot.tooManyRequests = tooManyRequests
        snapshot.noStatus = noStatus
        var statusCounts = oddStatuses
        for (status, count) in statuses.enumerated() where count > 0 { statusCounts[status] = count }
        snapshot.statusCounts = statusCounts
        var errorCounts: [String: Int] = [:]
        for (status, count) in failedStatuses.enumerated() where count > 0 { errorCounts["status \(status)"] = count }
        for (status, count) in oddFailedStatuses { errorCounts["status \(status)"] = count }
        for (index, count) in kinds.enumerated() where count > 0 { errorCounts[Self.kinds[index].rawValue] = count }
        snapshot.errorCounts = errorCounts
        snapshot.pausedHosts = pauses.compactMap { host, until in
            until > now ? ProgressSnapshot.PausedHost(host: host, remaining: until - now) : nil
        }.sorted { $0.remaining != $1.remaining ? $0.remaining > $1.remaining : $0.host < $1.host }
        return snapshot
    }
}
