import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What Swift tasks hand to a transport's event-loop thread, and how they wake it: requests, cancellations and
/// the jobs of tasks that prefer the loop as their executor, behind one `Mutex`.
///
/// The thread says when it is about to sleep (``prepareToSleep()``); only then does a hand-over call `wake`
/// (`curl_multi_wakeup`, a write to an eventfd), so a busy loop costs no extra system calls.
final class EventLoopMailbox: Sendable {
    typealias Continuation = UnsafeContinuation<Result<TransportResponse, RecordError>, Never>

    /// One request waiting for the loop.
    struct Submission: Sendable {
        var id: UInt64
        var request: TransportRequest
        /// What the native transport read of the URL before handing it over (nil for libcurl's loop), so its loop
        /// does not read it again.
        var target: NativeTarget?
        var continuation: Continuation
    }

    private enum Phase { case running, stopping, stopped }

    private struct State: ~Copyable {
        var submissions: [Submission] = []
        var cancellations: [UInt64] = []
        var phase = Phase.running
        /// The thread is in, or about to enter, its wait.
        var sleeping = false
        /// Someone has called `wake` since the thread went to sleep.
        var woken = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        /// Swift jobs of tasks that prefer this loop as their executor.
        var jobs: [UnownedJob] = []
    }

    private let state = Mutex(State())
    private let wake: @Sendable () -> Void
    private let lastID = Atomic<UInt64>(0)
    /// The loop thread's `pthread_self()` as a number, 0 until the thread has started.
    private let threadNumber = Atomic<UInt>(0)

    /// A mailbox whose thread is woken by `wake`, which must be safe to call from any thread.
    init(wake: @escaping @Sendable () -> Void) {
        self.wake = wake
    }

    static let shutDownError = RecordError(.network, "the transport was shut down")
    static let cancelledError = RecordError(.network, "cancelled")

    func nextID() -> UInt64 {
        lastID.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Whether the caller runs on the loop's thread (a task that prefers its executor does).
    var isCurrentThread: Bool {
        threadNumber.load(ordering: .acquiring) == Self.currentThreadNumber
    }

    /// Called first thing by the loop's thread.
    func noteThreadStarted() {
        threadNumber.store(Self.currentThreadNumber, ordering: .releasing)
    }

    private static var currentThreadNumber: UInt {
        #if canImport(Darwin)
            UInt(bitPattern: pthread_self())
        #else
            UInt(pthread_self())
        #endif
    }

    // MARK: Called from Swift tasks

    /// Queues a request for the loop, or fails it at once when the loop has stopped or the task is cancelled.
    func submit(_ submission: Submission) {
        enum Action { case none, wake, reject, cancelled }
        let action = state.withLock { state -> Action in
            guard state.phase == .running else { return .reject }
            // Checked under the lock: a cancellation handler that ran before this saw no submission, but the
            // task's cancelled flag was already set when it ran.
            if Task.isCancelled { return .cancelled }
            state.submissions.append(submission)
            return Self.wakeIfSleeping(&state) ? .wake : .none
        }
        switch action {
        case .none: break
        case .wake: wake()
        case .reject: submission.continuation.resume(returning: .failure(Self.shutDownError))
        case .cancelled: submission.continuation.resume(returning: .failure(Self.cancelledError))
        }
    }

    /// Submits `request` and waits for its answer; a cancelled task's request is stopped.
    nonisolated(nonsending) func perform(_ request: TransportRequest, target: NativeTarget? = nil) async
        -> Result<TransportResponse, RecordError>
    {
        let id = nextID()
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                submit(Submission(id: id, request: request, target: target, continuation: continuation))
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// Queues a Swift job to run on the loop thread between two turns; once the loop has stopped, jobs go to the
    /// global executor instead.
    func enqueue(_ job: UnownedJob) {
        enum Action { case none, wake, elsewhere }
        let action = state.withLock { state -> Action in
            guard state.phase != .stopped else { return .elsewhere }
            state.jobs.append(job)
            return Self.wakeIfSleeping(&state) ? .wake : .none
        }
        switch action {
        case .none: break
        case .wake: wake()
        case .elsewhere: globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }

    /// Stops request `id`: drops it if still queued, otherwise asks the loop to stop it.
    func cancel(_ id: UInt64) {
        enum Action {
            case none, wake
            case resume(Continuation)
        }
        let action = state.withLock { state -> Action in
            if let index = state.submissions.firstIndex(where: { $0.id == id }) {
                return .resume(state.submissions.remove(at: index).continuation)
            }
            guard state.phase == .running else { return .none }
            state.cancellations.append(id)
            return Self.wakeIfSleeping(&state) ? .wake : .none
        }
        switch action {
        case .none: break
        case .wake: wake()
        case .resume(let continuation): continuation.resume(returning: .failure(Self.cancelledError))
        }
    }

    /// Stops the thread, which fails every outstanding request, and returns once it has cleaned up.
    func stop() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let stopped = state.withLock { state -> Bool in
                if state.phase == .stopped { return true }
                state.phase = .stopping
                state.stopWaiters.append(waiter)
                return false
            }
            if stopped {
                waiter.resume()
            } else {
                wake()
            }
        }
    }

    /// Asks the thread to stop without waiting for it.
    func requestStop() {
        let wakeNow = state.withLock { state -> Bool in
            guard state.phase == .running else { return false }
            state.phase = .stopping
            return true
        }
        if wakeNow { wake() }
    }

    private static func wakeIfSleeping(_ state: inout State) -> Bool {
        guard state.sleeping && !state.woken else { return false }
        state.woken = true
        return true
    }

    // MARK: Called from the loop thread

    /// Moves the queued work into the loop's arrays (swapping, so both keep their capacity); false when the
    /// loop must stop.
    func collect(
        _ submissions: inout [Submission], _ cancellations: inout [UInt64], _ jobs: inout [UnownedJob]
    ) -> Bool {
        state.withLock { state in
            state.sleeping = false
            state.woken = false
            swap(&jobs, &state.jobs)
            guard state.phase == .running else { return false }
            swap(&submissions, &state.submissions)
            swap(&cancellations, &state.cancellations)
            return true
        }
    }

    /// Runs `jobs` on the loop thread, and the jobs they enqueue (a finished URL's task wakes the coordinator,
    /// which starts the next URL's task), a bounded number of rounds so the network is never starved.
    func runJobs(_ jobs: inout [UnownedJob], on executor: UnownedTaskExecutor) {
        var rounds = 0
        repeat {
            for job in jobs { job.runSynchronously(on: executor) }
            jobs.removeAll(keepingCapacity: true)
            rounds += 1
        } while rounds < 4 && collectJobs(&jobs)
    }

    /// Moves the jobs queued since the last collection into `jobs`; false when there were none.
    private func collectJobs(_ jobs: inout [UnownedJob]) -> Bool {
        state.withLock { state in
            swap(&jobs, &state.jobs)
            return !jobs.isEmpty
        }
    }

    /// Adds the requests and cancellations queued since ``collect(_:_:_:)`` (by the jobs just run) to the
    /// loop's arrays; false when the loop must stop after this turn.
    func collectSubmissions(_ submissions: inout [Submission], _ cancellations: inout [UInt64]) -> Bool {
        state.withLock { state in
            submissions.append(contentsOf: state.submissions)
            state.submissions.removeAll(keepingCapacity: true)
            cancellations.append(contentsOf: state.cancellations)
            state.cancellations.removeAll(keepingCapacity: true)
            return state.phase == .running
        }
    }

    /// Marks the thread as about to wait; false when work arrived meanwhile and it should go round again.
    func prepareToSleep() -> Bool {
        state.withLock { state in
            guard state.submissions.isEmpty, state.cancellations.isEmpty, state.jobs.isEmpty,
                state.phase == .running
            else {
                return false
            }
            state.sleeping = true
            return true
        }
    }

    /// Marks the loop stopped, fails what was still queued, sends queued jobs to the global executor and hands
    /// back who waits for the stop (to resume once the loop has released everything).
    func markStopped() -> [CheckedContinuation<Void, Never>] {
        let (queued, waiters, jobs) = state.withLock { state in
            state.phase = .stopped
            defer {
                state.submissions = []
                state.cancellations = []
                state.stopWaiters = []
                state.jobs = []
            }
            return (state.submissions, state.stopWaiters, state.jobs)
        }
        for job in jobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        for submission in queued { submission.continuation.resume(returning: .failure(Self.shutDownError)) }
        return waiters
    }
}

/// A task executor that runs jobs on an event loop's thread, between its turns: a crawl whose tasks prefer it
/// hands requests to the loop and takes their answers on one thread, with no wake-up of another thread per
/// request.
final class EventLoopExecutor: TaskExecutor {
    private let mailbox: EventLoopMailbox

    init(mailbox: EventLoopMailbox) {
        self.mailbox = mailbox
    }

    func enqueue(_ job: consuming ExecutorJob) {
        mailbox.enqueue(UnownedJob(job))
    }
}
