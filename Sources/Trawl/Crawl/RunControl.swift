import Synchronization

/// Lets the owner of a run ask it to stop starting work (a first SIGINT or SIGTERM).
///
/// After ``stop()``, no new URL is read (the run cancels its input: see ``LineReader/cancel()``) and no new
/// attempt starts; requests in flight finish and are recorded; URLs waiting on a backoff, a pause or a slot
/// end at once without a record, so a resumed run fetches them.
public final class RunControl: Sendable {
    private struct State {
        var stopping = false
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var actions: [UInt64: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    /// Creates a control in the running state.
    public init() {}

    /// Asks the run to stop starting work.
    public func stop() {
        let (waiters, actions) = state.withLock { state in
            state.stopping = true
            defer {
                state.waiters = [:]
                state.actions = [:]
            }
            return (Array(state.waiters.values), Array(state.actions.values))
        }
        for waiter in waiters { waiter.resume() }
        for action in actions { action() }
    }

    /// Runs `action` when ``stop()`` is called (at once if it was), unless it is removed first with the
    /// returned key (``removeStopAction(_:)``): a control outlives the runs it serves, and must not keep
    /// what their actions hold.
    @discardableResult
    func onStop(_ action: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, now) = state.withLock { state in
            state.nextID += 1
            if state.stopping { return (state.nextID, true) }
            state.actions[state.nextID] = action
            return (state.nextID, false)
        }
        if now { action() }
        return id
    }

    /// Forgets the action ``onStop(_:)`` returned `id` for.
    func removeStopAction(_ id: UInt64) {
        _ = state.withLock { $0.actions.removeValue(forKey: id) }
    }

    /// Whether ``stop()`` was called.
    public var isStopping: Bool { state.withLock { $0.stopping } }

    /// Returns once ``stop()`` is called, or when the task is cancelled.
    public func waitForStop() async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.stopping || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Sleeps on `clock` until `deadline`; returns `false` if the run was stopped or the task cancelled first.
    func sleep(on clock: CrawlClock, until deadline: Duration) async -> Bool {
        if isStopping { return false }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await clock.sleep(until: deadline)) != nil }
            group.addTask {
                await self.waitForStop()
                return false
            }
            let finished = await group.next() ?? false
            group.cancelAll()
            return finished && !isStopping
        }
    }
}
