import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tracks everything `shutdown()` must stop: the stopped flag, open sockets, live threads, and every timed wait.
///
/// `@unchecked Sendable`: all mutable state is guarded by `condition`, which also wakes sleepers on shutdown.
final class Lifecycle: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private var openSockets: Set<Int32> = []
    private var liveThreads = 0
    /// Becomes readable on shutdown, waking accept loops blocked in `poll`.
    let wakeReadEnd: Int32
    private let wakeWriteEnd: Int32

    init() throws(TestSiteError) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw TestSiteError(.socket, "pipe() failed: \(Socket.errnoText())") }
        wakeReadEnd = ends[0]
        wakeWriteEnd = ends[1]
    }

    deinit {
        Socket.close(wakeReadEnd)
        Socket.close(wakeWriteEnd)
    }

    /// True once `stop()` ran.
    var isStopped: Bool {
        condition.withLock { stopped }
    }

    /// Remembers an open socket so `stop()` can shut it down; false (and the caller closes it) when already stopped.
    func register(_ fd: Int32) -> Bool {
        condition.withLock {
            guard !stopped else { return false }
            openSockets.insert(fd)
            return true
        }
    }

    /// Forgets a socket and closes it, with an RST when `reset` is true.
    func close(_ fd: Int32, reset: Bool = false) {
        // Forget before closing, so `stop()` never shuts down a descriptor number the system has reused.
        condition.withLock { _ = openSockets.remove(fd) }
        if reset { Socket.closeWithReset(fd) } else { Socket.close(fd) }
    }

    /// Runs `body` on a new thread that `waitForThreads` waits for.
    func spawn(name: String, _ body: @escaping @Sendable () -> Void) {
        condition.withLock { liveThreads += 1 }
        let thread = Thread { [self] in
            body()
            condition.withLock {
                liveThreads -= 1
                condition.broadcast()
            }
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits until `deadline` or until stopped; returns false when stopped.
    func sleep(until deadline: ContinuousClock.Instant) -> Bool {
        condition.withLock {
            while !stopped {
                let remaining = ContinuousClock.now.duration(to: deadline)
                guard remaining > .zero else { return true }
                let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) * 1e-18
                _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
            }
            return false
        }
    }

    /// Waits for `duration` or until stopped; returns false when stopped.
    func sleep(for duration: Duration) -> Bool {
        sleep(until: .now + duration)
    }

    /// Marks the site stopped, wakes every sleeper and accept loop, and shuts down every open connection.
    /// Returns false when it had already been stopped.
    func stop() -> Bool {
        condition.withLock {
            guard !stopped else { return false }
            stopped = true
            for fd in openSockets { Socket.shutdownBoth(fd) }
            var byte: UInt8 = 1
            _ = write(wakeWriteEnd, &byte, 1)
            condition.broadcast()
            return true
        }
    }

    /// Waits until every spawned thread has finished, or `timeout` passed; returns false on timeout.
    func waitForThreads(timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds))
        return condition.withLock {
            while liveThreads > 0 {
                guard condition.wait(until: deadline) else { return liveThreads == 0 }
            }
            return true
        }
    }
}
