import Synchronization

/// Grants permission to start a request: at most `total` in flight overall and `perHost` per host, and
/// none on a host while it is paused by a `Retry-After`.
///
/// A state machine under a `Mutex`: ``acquire(host:)`` grants at once or queues the caller; ``release(_:pause:)``
/// hands the freed slot to the next eligible waiter, round-robin across hosts, resuming it outside the lock.
/// A caller waiting out a pause holds nothing here.
public final class Scheduler: Sendable {
    /// The answer to ``acquire(host:)``.
    public enum Admission: Sendable, Equatable {
        /// A slot was granted: start the request, then call ``release(_:pause:)``.
        case granted(Permit)
        /// The host is paused until this instant of the run's clock: wait (holding nothing), then ask again.
        case paused(until: Duration)
    }

    /// A granted slot.
    public struct Permit: Sendable, Equatable {
        /// The host the slot belongs to.
        public let host: String
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Admission?, Never>
    }

    private struct HostState {
        var inFlight = 0
        var waiters = FIFO<Waiter>()
        var pausedUntil: Duration?
        var isReady = false
    }

    private struct State {
        var inFlight = 0
        var hosts: [String: HostState] = [:]
        var ready = FIFO<String>()
        var nextID: UInt64 = 0
        var peakInFlight = 0
    }

    private enum Resume {
        case admit(CheckedContinuation<Admission?, Never>, Admission?)
    }

    /// The most requests in flight overall.
    public let total: Int
    /// The most requests in flight on one host.
    public let perHost: Int
    private let clock: CrawlClock
    private let state = Mutex(State())

    /// Creates a scheduler. `clock` tells the time for pauses.
    public init(total: Int, perHost: Int, clock: CrawlClock) {
        self.total = max(1, total)
        self.perHost = max(1, min(perHost, total))
        self.clock = clock
    }

    /// Requests in flight now.
    public var inFlight: Int { state.withLock { $0.inFlight } }
    /// The most requests that were in flight at once.
    public var peakInFlight: Int { state.withLock { $0.peakInFlight } }

    /// Waits for a slot on `host`, or learns that the host is paused.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    public func acquire(host: String) async throws(CancellationError) -> Admission {
        let now = clock.now
        let immediate: Admission?? = state.withLock { state -> Admission?? in
            var hostState = state.hosts[host] ?? HostState()
            if let until = hostState.pausedUntil, until > now { return .some(.paused(until: until)) }
            hostState.pausedUntil = nil
            if state.inFlight < total && hostState.inFlight < perHost {
                hostState.inFlight += 1
                state.inFlight += 1
                state.peakInFlight = max(state.peakInFlight, state.inFlight)
                state.hosts[host] = hostState
                return .some(.granted(Permit(host: host)))
            }
            state.hosts[host] = hostState
            return .none
        }
        if let immediate { return immediate! }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let admission: Admission? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Admission?, Never>) in
                let resumes: [Resume] = state.withLock { state in
                    if Task.isCancelled { return [.admit(continuation, nil)] }
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

    /// Gives back a slot. With `pause`, the permit's host starts no request until that much time has passed,
    /// and every caller queued for it is told so at once.
    public func release(_ permit: Permit, pause: Duration? = nil) {
        let now = clock.now
        let resumes: [Resume] = state.withLock { state in
            state.inFlight -= 1
            var resumes: [Resume] = []
            if var hostState = state.hosts[permit.host] {
                hostState.inFlight -= 1
                if let pause {
                    let until = max(hostState.pausedUntil ?? .zero, now + pause)
                    hostState.pausedUntil = until
                    for waiter in hostState.waiters.drain() {
                        resumes.append(.admit(waiter.continuation, .paused(until: until)))
                    }
                }
                state.hosts[permit.host] = hostState
                markReadyIfEligible(permit.host, state: &state, now: now)
            }
            grantWhilePossible(state: &state, now: now, into: &resumes)
            if let hostState = state.hosts[permit.host], hostState.inFlight == 0, hostState.waiters.isEmpty,
                hostState.pausedUntil.map({ $0 <= now }) ?? true, !hostState.isReady
            {
                state.hosts[permit.host] = nil
            }
            return resumes
        }
        for resume in resumes { perform(resume) }
    }

    private func enqueue(_ waiter: Waiter, host: String, state: inout State) -> [Resume] {
        let now = clock.now
        var hostState = state.hosts[host] ?? HostState()
        if let until = hostState.pausedUntil, until > now {
            return [.admit(waiter.continuation, .paused(until: until))]
        }
        hostState.waiters.push(waiter)
        state.hosts[host] = hostState
        markReadyIfEligible(host, state: &state, now: now)
        var resumes: [Resume] = []
        grantWhilePossible(state: &state, now: now, into: &resumes)
        return resumes
    }

    private func markReadyIfEligible(_ host: String, state: inout State, now: Duration) {
        guard var hostState = state.hosts[host], !hostState.isReady, !hostState.waiters.isEmpty,
            hostState.inFlight < perHost, hostState.pausedUntil.map({ $0 <= now }) ?? true
        else { return }
        hostState.isReady = true
        state.hosts[host] = hostState
        state.ready.push(host)
    }

    private func grantWhilePossible(state: inout State, now: Duration, into resumes: inout [Resume]) {
        while state.inFlight < total, let host = state.ready.pop() {
            guard var hostState = state.hosts[host] else { continue }
            hostState.isReady = false
            if hostState.inFlight < perHost, hostState.pausedUntil.map({ $0 <= now }) ?? true,
                let waiter = hostState.waiters.pop()
            {
                hostState.inFlight += 1
                state.inFlight += 1
                state.peakInFlight = max(state.peakInFlight, state.inFlight)
                resumes.append(.admit(waiter.continuation, .granted(Permit(host: host))))
            }
            state.hosts[host] = hostState
            markReadyIfEligible(host, state: &state, now: now)
        }
    }

    private func perform(_ resume: Resume) {
        switch resume {
        case .admit(let continuation, let admission): continuation.resume(returning: admission)
        }
    }
}
