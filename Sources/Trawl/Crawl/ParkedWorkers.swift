import Synchronization

/// A lane's URL tasks that finished their URL and wait for the next one.
///
/// A task per URL would cost, for every URL, the task's creation, fresh memory for its frames (a few kB,
/// from `malloc`) and its completion in the group. Instead a task that finished its URL parks here, and the
/// coordinator hands the next URL to a parked task before it starts a new one, so a crawl runs about as many
/// tasks as it has URLs in flight, each reused from URL to URL.
final class ParkedWorkers: Sendable {
    /// A URL to fetch and the host slot already granted for its first request, if any.
    struct Assignment: Sendable {
        var url: CrawlURL
        var permit: Scheduler.Permit?
    }

    private struct State {
        var parked: [UnsafeContinuation<Assignment?, Never>] = []
        var closed = false
    }

    private let state = Mutex(State())

    /// Hands `assignment` to a parked task; false when none is parked (the caller starts a new one).
    func hand(_ assignment: Assignment) -> Bool {
        guard let worker = state.withLock({ $0.parked.popLast() }) else { return false }
        worker.resume(returning: assignment)
        return true
    }

    /// Tells `lane` that the caller's URL finished and parks the calling task until it is handed the next
    /// URL; nil once the lane is closed. The task is parked before the lane hears of it, so a coordinator
    /// that wakes at once finds it.
    nonisolated(nonsending) func next(afterFinishingIn lane: Lane) async -> Assignment? {
        await withUnsafeContinuation { worker in
            let closed = state.withLock { state in
                if !state.closed { state.parked.append(worker) }
                return state.closed
            }
            lane.finished()
            if closed { worker.resume(returning: nil) }
        }
    }

    /// Ends every parked task, and every task that parks later.
    func close() {
        let parked = state.withLock { state in
            state.closed = true
            defer { state.parked = [] }
            return state.parked
        }
        for worker in parked { worker.resume(returning: nil) }
    }
}
