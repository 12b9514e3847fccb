import Synchronization

/// A clock whose sleeps wait until the test opens it, then move its time to their deadline: a test can look at
/// what happens while a wait is still running, however slow the machine, and then end the wait at once.
public final class GatedClock: Clock, Sendable {
    public typealias Instant = RecordingClock.Instant

    private struct State {
        var now = Instant(offset: .zero)
        var sleeps: [Duration] = []
        var isOpen = false
        var waiting: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A closed clock at time zero.
    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Every sleep requested so far, as the duration from the clock's time at the call to the deadline.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// Ends every sleep running now and lets later ones return at once.
    public func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for continuation in waiting { continuation.resume() }
    }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state in
            state.sleeps.append(state.now.duration(to: deadline))
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiting[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.resume()
        }
        try Task.checkCancellation()
        state.withLock { state in
            if state.now < deadline { state.now = deadline }
        }
    }
}
