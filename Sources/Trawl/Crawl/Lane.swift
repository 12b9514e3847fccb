import Synchronization

/// One coordinator's part of a run: the executor its tasks prefer, its share of the read-ahead window, and
/// the signal that wakes it when one of its URLs gives a slot back or finishes, or when a host it holds URLs
/// for gives a slot back.
///
/// A run has one lane per event loop the transport offers (one, on the global executor, otherwise); each
/// lane's coordinator and URL tasks run on its loop, so a request, its answer and the next URL's start stay
/// on one thread. Every limit stays global, in the shared ``Scheduler``: a lane starts a URL whenever a global
/// slot is free, so a lane whose input ran out leaves its slots to the others. A lane waiting for a global
/// slot is woken by any lane's release, not only its own: its own URLs may all be asleep (a backoff, a pause)
/// while the other lanes hold every slot.
final class Lane: Sendable {
    /// The most URLs handed to tasks and not finished (the lane's share of the read-ahead window).
    let window: Int
    /// The executor the lane's tasks prefer; nil for the global executor.
    let executor: (any TaskExecutor)?
    private let admitted = Atomic<Int>(0)
    private let wake = WakeSignal()
    /// Set while the coordinator waits for any global slot (``waitForAnySlot(whileFull:)``).
    private let wantsAnySlot = Atomic<Bool>(false)
    /// Hosts the coordinator holds URLs for (waiting for a slot of theirs), and the hosts that gave a slot back
    /// since the coordinator last looked (all of them: one released just before the coordinator starts holding
    /// a URL for it must not be missed).
    private let hosts = Mutex(HostNotes())

    private struct HostNotes {
        var watched: Set<String> = []
        var released: Set<String> = []
    }

    init(window: Int, executor: (any TaskExecutor)?) {
        self.window = max(1, window)
        self.executor = executor
    }

    /// One lane per executor, at most one per slot of `total`, sharing `window`; one lane without executors.
    static func split(total: Int, window: Int, executors: [any TaskExecutor]) -> [Lane] {
        guard !executors.isEmpty else { return [Lane(window: window, executor: nil)] }
        let count = max(1, min(executors.count, total))
        return (0..<count).map { index in
            // The first lanes take the remainder, so the shares add up to the window.
            Lane(window: window / count + (index < window % count ? 1 : 0), executor: executors[index])
        }
    }

    /// URLs handed out and not finished.
    var admittedCount: Int { admitted.load(ordering: .relaxed) }

    /// Waits until one of the lane's URLs released its slot or finished since the last return.
    nonisolated(nonsending) func waitForRoom() async {
        await wake.wait()
    }

    /// A URL was handed out.
    func admittedOne() {
        admitted.add(1, ordering: .relaxed)
    }

    /// Waits, while `isFull` says every global slot is taken, until a slot comes back from any lane (or this
    /// lane's own URLs finish or release).
    nonisolated(nonsending) func waitForAnySlot(whileFull isFull: () -> Bool) async {
        // Raised before the check: a release that comes after it sees the flag and wakes the lane.
        wantsAnySlot.store(true, ordering: .sequentiallyConsistent)
        if isFull() { await wake.wait() }
        wantsAnySlot.store(false, ordering: .relaxed)
    }

    /// A URL of this lane finished, with or without a record.
    func finished() {
        admitted.subtract(1, ordering: .relaxed)
        wake.signal()
    }

    /// Wakes the coordinator to look again (input ready, the run stopping).
    func wakeUp() {
        wake.signal()
    }

    /// A URL of any lane gave back a slot of `host`: noted, and the lane woken if the URL was its own, if it
    /// holds URLs for that host or if it waits for any slot.
    func noteReleased(_ host: String, own: Bool) {
        let watched = hosts.withLock { notes in
            notes.released.insert(host)
            return notes.watched.contains(host)
        }
        if own || watched || wantsAnySlot.load(ordering: .sequentiallyConsistent) { wake.signal() }
    }

    /// Starts or stops watching `host` for released slots.
    func watch(_ host: String, _ watching: Bool) {
        hosts.withLock { notes in
            if watching {
                notes.watched.insert(host)
            } else {
                notes.watched.remove(host)
            }
        }
    }

    /// The watched hosts that gave a slot back since the last call.
    func takeReleased() -> Set<String> {
        hosts.withLock { notes in
            defer { notes.released.removeAll(keepingCapacity: true) }
            return notes.released
        }
    }
}
