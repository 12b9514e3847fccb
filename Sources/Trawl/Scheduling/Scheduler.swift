import Synchronization

/// Grants permission to start a request: at most `total` in flight overall and `perHost` per host, none on a
/// host while it is paused by a `Retry-After`, and, where pacing applies, no faster than the host's rate.
///
/// A state machine under a `Mutex`: ``acquire(host:)`` grants at once or queues the caller; ``release(_:outcome:)``
/// hands the freed slot to the next eligible waiter, round-robin across hosts, resuming it outside the lock.
/// When a host's queue must wait for its pace, only its first waiter is sent away to sleep until the next start
/// is allowed (no herd of sleepers). A caller told to wait holds nothing here.
public final class Scheduler: Sendable {
    /// The answer to ``acquire(host:)``.
    public enum Admission: Sendable, Equatable {
        /// A slot was granted: start the request, then call ``release(_:outcome:)``.
        case granted(Permit)
        /// Nothing may start on the host before this instant of the run's clock: wait (holding nothing),
        /// then ask again.
        case paused(until: Duration)
    }

    /// A granted slot.
    public struct Permit: Sendable, Equatable {
        /// The host the slot belongs to.
        public let host: String
    }

    /// What a request's answer says about its host's capacity.
    public enum Outcome: Sendable, Equatable {
        /// A success: the pace may rise.
        case success
        /// A 429 or 503: the pace falls, and with a `Retry-After` the host pauses for that long.
        case pushback(pause: Duration?)
        /// Anything else.
        case neutral
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Admission?, Never>
    }

    /// A class, so the state machine mutates a host's queue in place: a struct copied out of the dictionary
    /// and changed would copy the whole waiter queue on every grant.
    private final class HostState {
        var inFlight = 0
        var waiters = FIFO<Waiter>()
        var pausedUntil: Duration?
        var isReady = false
        var pacing: HostPacing?
        var meter = RateMeter()
        /// When the waiter sent to sleep for this host's pace is due back.
        var wakerDue: Duration?
        /// When the host last came to rest (see ``Scheduler/forgetIdleHosts(state:now:)``); nil while in use.
        var idleSince: Duration?
        /// The host has answered 429 or 503 with `Retry-After`: its pace (if adaptive) was learned from it.
        var pushedBack = false

        func isPaused(_ now: Duration) -> Bool { pausedUntil.map { $0 > now } ?? false }

        /// Nothing running, waiting or queued.
        var isUnused: Bool { inFlight == 0 && waiters.isEmpty && !isReady }

        /// Unused and neither paused nor ever pushed back: the state holds only the success meter and, under
        /// `--rate`, a token bucket that refills within the meter's window; it is forgotten after that.
        func isIdle(_ now: Duration) -> Bool {
            isUnused && !isPaused(now) && !pushedBack
        }
    }

    private struct State {
        var inFlight = 0
        var hosts: [String: HostState] = [:]
        /// Hosts in the order they fell idle, with the time: the candidates of ``forgetIdleHosts(state:now:)``.
        var idle = FIFO<(host: String, since: Duration)>()
        /// Hosts that came to rest after pushing back (or while paused), with the time: forgotten after
        /// ``Scheduler/restedHostMemory``.
        var rested = FIFO<(host: String, since: Duration)>()
        var ready = FIFO<String>()
        var nextID: UInt64 = 0
        var peakInFlight = 0
        var globalPacing: HostPacing?
        var globalWakerDue: Duration?
        /// Set by ``failAllWaiters()``: nobody may queue any more.
        var stopped = false
    }

    private enum Resume {
        case admit(CheckedContinuation<Admission?, Never>, Admission?)
    }

    /// The most requests in flight overall.
    public let total: Int
    /// The most requests in flight on one host.
    public let perHost: Int
    private let politeness: Crawler.Configuration.Politeness
    private let clock: CrawlClock
    private let state: Mutex<State>

    /// Creates a scheduler. `clock` tells the time for pauses and pacing.
    public init(
        total: Int, perHost: Int, politeness: Crawler.Configuration.Politeness = .init(), clock: CrawlClock
    ) {
        self.total = max(1, total)
        self.perHost = max(1, min(perHost, total))
        let politeness = politeness.normalized
        self.politeness = politeness
        self.clock = clock
        var initial = State()
        if let rate = politeness.rateGlobal {
            initial.globalPacing = HostPacing(limit: rate, adaptive: false)
        }
        state = Mutex(initial)
    }

    /// Requests in flight now.
    public var inFlight: Int { state.withLock { $0.inFlight } }
    /// Whether every global slot is taken: a URL admitted now could not start before one is released.
    public var isFull: Bool { state.withLock { $0.inFlight >= total } }
    /// The most requests that were in flight at once.
    public var peakInFlight: Int { state.withLock { $0.peakInFlight } }
    /// Hosts the scheduler keeps state for now.
    var trackedHostCount: Int { state.withLock { $0.hosts.count } }

    /// The pace of `host` in requests per second, or `nil` while it is not paced.
    public func rate(of host: String) -> Double? {
        state.withLock { $0.hosts[host]?.pacing?.rate }
    }

    /// The answer to ``tryAcquire(host:)``.
    public enum Attempt: Sendable, Equatable {
        /// A slot was granted.
        case granted(Permit)
        /// The host is at its per-host limit with nothing else holding it back (not paused, not paced): one of
        /// its requests in flight will give a slot back.
        case hostBusy
        /// Anything else (every global slot taken, a pause, a pace, callers already queued for the host): call
        /// ``acquire(host:)`` to wait.
        case unavailable
    }

    /// A slot on `host` if one can be granted at once (nobody queued there, not paused, within every limit and
    /// pace), else why not.
    public func tryAcquire(host: String) -> Attempt {
        let now = clock.now
        return state.withLock { state in
            let hostState = hostState(host, in: &state)
            if hostState.waiters.isEmpty && canStart(hostState, state: state, now: now) {
                start(hostState, state: &state, now: now)
                return .granted(Permit(host: host))
            }
            if hostState.inFlight >= perHost && !hostState.isPaused(now) && hostState.pacing == nil {
                return .hostBusy
            }
            return .unavailable
        }
    }

    /// Waits for a slot on `host`, or learns that the host is paused or paced.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    public nonisolated(nonsending) func acquire(host: String) async throws(CancellationError) -> Admission {
        let now = clock.now
        let immediate: Admission? = state.withLock { state in
            let hostState = hostState(host, in: &state)
            if let until = hostState.pausedUntil, until > now { return .paused(until: until) }
            if hostState.wakerDue.map({ $0 <= now }) == true { hostState.wakerDue = nil }
            if state.globalWakerDue.map({ $0 <= now }) == true { state.globalWakerDue = nil }
            if hostState.waiters.isEmpty && canStart(hostState, state: state, now: now) {
                start(hostState, state: &state, now: now)
                return .granted(Permit(host: host))
            }
            return nil
        }
        if let immediate { return immediate }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let admission: Admission? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Admission?, Never>) in
                let resumes: [Resume] = state.withLock { state in
                    if Task.isCancelled || state.stopped { return [.admit(continuation, nil)] }
                    return enqueue(Waiter(id: id, continuation: continuation), host: host, state: &state)
                }
                for resume in resumes { perform(resume) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Admission?, Never>? in
                state.hosts[host]?.waiters.remove(where: { $0.id == id })?.continuation
            }
            continuation?.resume(returning: nil)
        }
        guard let admission else { throw CancellationError() }
        return admission
    }

    /// Gives back a slot, telling the scheduler what the answer said about the host.
    public func release(_ permit: Permit, outcome: Outcome = .neutral) {
        let now = clock.now
        let resumes: [Resume] = state.withLock { state in
            state.inFlight -= 1
            var resumes: [Resume] = []
            guard let hostState = state.hosts[permit.host] else {
                grantWhilePossible(state: &state, now: now, into: &resumes)
                return resumes
            }
            hostState.inFlight -= 1
            learn(outcome, host: hostState, now: now, resumes: &resumes)
            markReadyIfEligible(permit.host, hostState, state: &state, now: now)
            grantWhilePossible(state: &state, now: now, into: &resumes)
            if hostState.isIdle(now) {
                hostState.idleSince = now
                state.idle.push((permit.host, now))
            } else if hostState.isUnused {
                hostState.idleSince = now
                state.rested.push((permit.host, now))
            }
            forgetIdleHosts(state: &state, now: now)
            return resumes
        }
        for resume in resumes { perform(resume) }
    }

    /// Ends every wait for a slot (each caller gets `CancellationError`): the run is stopping, and a waiter
    /// sent away to sleep for a pace may never come back to wake the queue behind it.
    public func failAllWaiters() {
        let waiters = state.withLock { state -> [CheckedContinuation<Admission?, Never>] in
            state.stopped = true
            var all: [CheckedContinuation<Admission?, Never>] = []
            for host in state.hosts.values {
                for waiter in host.waiters.drain() { all.append(waiter.continuation) }
                host.isReady = false
            }
            state.ready = FIFO()
            return all
        }
        for continuation in waiters { continuation.resume(returning: nil) }
    }

    /// The state of `host`, made (and kept) on first use.
    private func hostState(_ host: String, in state: inout State) -> HostState {
        if let existing = state.hosts[host] { return existing }
        let made = HostState()
        if let rate = politeness.ratePerHost {
            made.pacing = HostPacing(limit: rate, adaptive: politeness.adaptive)
        }
        state.hosts[host] = made
        return made
    }

    private func learn(_ outcome: Outcome, host: HostState, now: Duration, resumes: inout [Resume]) {
        switch outcome {
        case .neutral:
            break
        case .success:
            host.meter.count(now)
            host.pacing?.succeeded()
        case .pushback(let pause):
            host.pushedBack = true
            if politeness.adaptive {
                let served = host.meter.perSecond(now)
                if host.pacing == nil {
                    // First pushback: start pacing at 90% of what the server served over the last second (a
                    // start-up burst it absorbed makes that an underestimate, which the increase corrects), but
                    // not under one request per second per slot: right after a pause, or on a slow server, the
                    // last second says little, and a limit lower than that is found by the cuts within seconds.
                    let limit = politeness.ratePerHost
                    let start = max(served * 0.9, Double(perHost))
                    host.pacing = HostPacing(
                        rate: min(start, limit ?? .infinity), burst: 1, adaptive: true, limit: limit, now: now)
                    host.pacing?.hold(until: now)
                } else {
                    host.pacing?.pushedBack(now: now, served: served)
                }
            }
            guard let pause, politeness.pauseHostOnRetryAfter, pause > .zero else { break }
            let until = max(host.pausedUntil ?? .zero, now + pause)
            host.pausedUntil = until
            host.pacing?.hold(until: until)
            for waiter in host.waiters.drain() {
                resumes.append(.admit(waiter.continuation, .paused(until: until)))
            }
        }
    }

    private func canStart(_ host: HostState, state: State, now: Duration) -> Bool {
        state.inFlight < total && host.inFlight < perHost && !host.isPaused(now)
            && (host.pacing?.allows(now) ?? true) && (state.globalPacing?.allows(now) ?? true)
    }

    /// How long a host that pushed back keeps its state, and the pace it learned, once nothing uses it.
    static let restedHostMemory: Duration = .seconds(600)

    /// Drops the state of hosts idle for longer than the success meter looks back, so a crawl over millions of
    /// hosts keeps only the recent ones. An idle host is kept that long because its meter is what a first
    /// pushback reads: with URLs of a busy host held by the coordinator, a host falls idle between every
    /// release and the next start, and forgetting it then would read a burst the server absorbed as 1 req/s.
    /// A host that pushed back, or is paused, keeps its state and the pace it learned for
    /// ``restedHostMemory`` after it was last used: long enough for any retry or revisit of the run, and a host
    /// that comes back later learns its pace again at its next pushback.
    private func forgetIdleHosts(state: inout State, now: Duration) {
        while let (host, since) = state.idle.first, now - since >= RateMeter.window {
            _ = state.idle.pop()
            guard let hostState = state.hosts[host], hostState.idleSince == since, hostState.isIdle(now) else {
                continue
            }
            state.hosts[host] = nil
        }
        while let (host, since) = state.rested.first, now - since >= Self.restedHostMemory {
            _ = state.rested.pop()
            guard let hostState = state.hosts[host], hostState.idleSince == since, hostState.isUnused else {
                continue
            }
            if hostState.isPaused(now) {
                // Paused for longer than the memory: looked at again once as long has passed.
                hostState.idleSince = now
                state.rested.push((host, now))
            } else {
                state.hosts[host] = nil
            }
        }
    }

    private func start(_ host: HostState, state: inout State, now: Duration) {
        host.idleSince = nil
        host.inFlight += 1
        host.pacing?.consume(now)
        host.wakerDue = nil
        state.globalPacing?.consume(now)
        state.inFlight += 1
        state.peakInFlight = max(state.peakInFlight, state.inFlight)
    }

    private func enqueue(_ waiter: Waiter, host: String, state: inout State) -> [Resume] {
        let now = clock.now
        let hostState = hostState(host, in: &state)
        if let until = hostState.pausedUntil, until > now {
            return [.admit(waiter.continuation, .paused(until: until))]
        }
        hostState.waiters.push(waiter)
        markReadyIfEligible(host, hostState, state: &state, now: now)
        var resumes: [Resume] = []
        grantWhilePossible(state: &state, now: now, into: &resumes)
        return resumes
    }

    /// Queues `host` for service when it has waiters and room; sends its first waiter to sleep when only its
    /// pace holds it back.
    private func markReadyIfEligible(_ host: String, _ hostState: HostState, state: inout State, now: Duration) {
        guard !hostState.isReady, !hostState.waiters.isEmpty, hostState.inFlight < perHost, !hostState.isPaused(now)
        else { return }
        hostState.isReady = true
        state.ready.push(host)
    }

    private func grantWhilePossible(state: inout State, now: Duration, into resumes: inout [Resume]) {
        var deferred: [(String, HostState)] = []
        while state.inFlight < total, let host = state.ready.pop() {
            guard let hostState = state.hosts[host] else { continue }
            hostState.isReady = false
            guard hostState.inFlight < perHost, !hostState.isPaused(now), !hostState.waiters.isEmpty else {
                continue
            }
            if let pacing = hostState.pacing, !pacing.allows(now) {
                // Only the pace holds this host back: one waiter sleeps until the next start is allowed.
                var armed = hostState.wakerDue
                sendWaker(from: &hostState.waiters, until: pacing.nextStart(), armed: &armed, now: now, into: &resumes)
                hostState.wakerDue = armed
                continue
            }
            if let global = state.globalPacing, !global.allows(now) {
                sendWaker(
                    from: &hostState.waiters, until: global.nextStart(), armed: &state.globalWakerDue, now: now,
                    into: &resumes)
                deferred.append((host, hostState))
                break
            }
            let waiter = hostState.waiters.pop()!
            start(hostState, state: &state, now: now)
            resumes.append(.admit(waiter.continuation, .granted(Permit(host: host))))
            markReadyIfEligible(host, hostState, state: &state, now: now)
        }
        for (host, hostState) in deferred { markReadyIfEligible(host, hostState, state: &state, now: now) }
    }

    /// Sends the first of `waiters` to sleep until `due`, unless one is already out for this pace (`armed`,
    /// forgotten a second after it was due in case its task ended); its return to ``acquire(host:)`` wakes the
    /// queue.
    private func sendWaker(
        from waiters: inout FIFO<Waiter>, until due: Duration, armed: inout Duration?, now: Duration,
        into resumes: inout [Resume]
    ) {
        guard armed.map({ $0 > now - .seconds(1) }) != true, let waiter = waiters.pop() else { return }
        armed = due
        resumes.append(.admit(waiter.continuation, .paused(until: due)))
    }

    private func perform(_ resume: Resume) {
        switch resume {
        case .admit(let continuation, let admission): continuation.resume(returning: admission)
        }
    }
}
