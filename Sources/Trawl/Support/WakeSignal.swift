import Synchronization

/// A sticky wake-up for one waiting task: ``signal()`` resumes the task in ``wait()``, or, with nobody waiting,
/// makes the next ``wait()`` return at once. The waiter checks its condition again after every return.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: UnsafeContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Wakes the waiter, or the next one to wait.
    func signal() {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next ``signal()``, or at once if one came since the last return. One waiter at a time.
    nonisolated(nonsending) func wait() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let signalled = state.withLock { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                precondition(state.waiter == nil, "WakeSignal has one waiter at a time")
                state.waiter = continuation
                return false
            }
            if signalled { continuation.resume() }
        }
    }
}
