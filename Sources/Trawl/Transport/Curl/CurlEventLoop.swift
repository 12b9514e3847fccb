import Foundation
import Synchronization

/// One thread driving a libcurl multi handle for every request of a ``CurlMultiTransport``.
///
/// Swift tasks hand requests and cancellations over through a `Mutex`-protected mailbox and wake the thread
/// out of `curl_multi_poll` with `curl_multi_wakeup` (only when it sleeps, so a busy loop costs no extra
/// system calls). The thread starts handles, runs `curl_multi_perform`, drains `curl_multi_info_read` and
/// resumes each request's continuation itself: no thread or task per request.
///
/// The multi handle is cleaned up in `deinit`, after the thread has let go of the loop, so `curl_multi_wakeup`
/// can never run on a freed handle.
final class CurlEventLoop: Sendable {
    struct Submission: Sendable {
        var id: UInt64
        var request: TransportRequest
        var continuation: CurlTransfer.Continuation
    }

    private enum Phase { case running, stopping, stopped }

    private struct Mailbox: ~Copyable {
        var submissions: [Submission] = []
        var cancellations: [UInt64] = []
        var phase = Phase.running
        /// The thread is in, or about to enter, `curl_multi_poll`.
        var sleeping = false
        /// Someone has called `curl_multi_wakeup` since the thread went to sleep.
        var woken = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        /// Swift jobs of tasks that prefer this loop as their executor.
        var jobs: [UnownedJob] = []
    }

    /// The multi handle; only `curl_multi_wakeup` is called on it from other threads, which libcurl allows.
    private struct Multi: @unchecked Sendable {
        let handle: LibCurl.Handle
    }

    let curl: LibCurl
    /// The options every easy handle gets.
    let configuration: CurlMultiTransport.Configuration
    private let multi: Multi
    private let mailbox = Mutex(Mailbox())
    private let lastID = Atomic<UInt64>(0)
    /// The loop thread's `pthread_self()` as a number, 0 until the thread has started.
    private let threadNumber = Atomic<UInt>(0)
    /// Runs the jobs of tasks that prefer it on this loop's thread (see ``CurlMultiTransport/taskExecutors``).
    private(set) nonisolated(unsafe) var executor: CurlLoopExecutor!

    /// Makes the multi handle with its connection limits and starts the thread.
    init(curl: LibCurl, configuration: CurlMultiTransport.Configuration) throws(CurlTransportError) {
        guard let handle = curl.multiInit() else { throw CurlTransportError("\(curl.name): curl_multi_init failed") }
        let total = max(1, configuration.maxTotalConnections)
        var settings: [(CurlMultiOption, Int)] = [
            (.maxHostConnections, max(1, configuration.maxConnectionsPerHost)),
            (.maxTotalConnections, total),
            // The connection cache: keep every connection the limits allow open for reuse.
            (.maxConnects, total),
        ]
        // CURLPIPE_MULTIPLEX: HTTP/2 requests to one host run as streams of a shared connection.
        if configuration.httpVersion == .http2 { settings.append((.pipelining, 2)) }
        for (option, value) in settings {
            let code = curl.multiSetopt(handle, option, value)
            if code != CurlCode.ok {
                _ = curl.multiCleanup(handle)
                throw CurlTransportError(
                    "\(curl.name) refused multi option \(option) (\(option.rawValue)): code \(code)")
            }
        }
        self.curl = curl
        self.configuration = configuration
        multi = Multi(handle: handle)
        executor = CurlLoopExecutor(loop: self)
        let thread = Thread { [self] in
            threadNumber.store(Self.currentThreadNumber, ordering: .releasing)
            CurlLoopDriver(loop: self).run()
        }
        thread.name = "trawl-curl"
        thread.start()
    }

    deinit {
        _ = curl.multiCleanup(multi.handle)
    }

    var multiHandle: LibCurl.Handle { multi.handle }

    /// Whether the caller runs on this loop's thread (a task that prefers its executor does).
    var isCurrentThread: Bool {
        threadNumber.load(ordering: .acquiring) == Self.currentThreadNumber
    }

    private static var currentThreadNumber: UInt {
        #if canImport(Darwin)
            UInt(bitPattern: pthread_self())
        #else
            UInt(pthread_self())
        #endif
    }

    func nextID() -> UInt64 {
        lastID.wrappingAdd(1, ordering: .relaxed).newValue
    }

    // MARK: Called from Swift tasks

    /// Queues a request for the loop, or fails it at once when the loop has stopped or the task is cancelled.
    func submit(_ submission: Submission) {
        enum Action { case none, wake, reject, cancelled }
        let action = mailbox.withLock { mailbox -> Action in
            guard mailbox.phase == .running else { return .reject }
            // Checked under the lock: a cancellation handler that ran before this saw no submission, but the
            // task's cancelled flag was already set when it ran.
            if Task.isCancelled { return .cancelled }
            mailbox.submissions.append(submission)
            return Self.wakeIfSleeping(&mailbox) ? .wake : .none
        }
        switch action {
        case .none: break
        case .wake: _ = curl.multiWakeup(multi.handle)
        case .reject: submission.continuation.resume(returning: .failure(Self.shutDownError))
        case .cancelled: submission.continuation.resume(returning: .failure(Self.cancelledError))
        }
    }

    /// Queues a Swift job to run on the loop thread between two turns of libcurl; once the loop has stopped,
    /// jobs go to the global executor instead.
    func enqueue(_ job: UnownedJob) {
        enum Action { case none, wake, elsewhere }
        let action = mailbox.withLock { mailbox -> Action in
            guard mailbox.phase != .stopped else { return .elsewhere }
            mailbox.jobs.append(job)
            return Self.wakeIfSleeping(&mailbox) ? .wake : .none
        }
        switch action {
        case .none: break
        case .wake: _ = curl.multiWakeup(multi.handle)
        case .elsewhere: globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }

    /// Stops request `id`: drops it if still queued, otherwise asks the loop to remove it from the multi handle.
    func cancel(_ id: UInt64) {
        enum Action {
            case none, wake
            case resume(CurlTransfer.Continuation)
        }
        let action = mailbox.withLock { mailbox -> Action in
            if let index = mailbox.submissions.firstIndex(where: { $0.id == id }) {
                return .resume(mailbox.submissions.remove(at: index).continuation)
            }
            guard mailbox.phase == .running else { return .none }
            mailbox.cancellations.append(id)
            return Self.wakeIfSleeping(&mailbox) ? .wake : .none
        }
        switch action {
        case .none: break
        case .wake: _ = curl.multiWakeup(multi.handle)
        case .resume(let continuation): continuation.resume(returning: .failure(Self.cancelledError))
        }
    }

    /// Stops the thread, failing every outstanding request, and returns once it has cleaned up.
    func stop() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let stopped = mailbox.withLock { mailbox -> Bool in
                if mailbox.phase == .stopped { return true }
                mailbox.phase = .stopping
                mailbox.stopWaiters.append(waiter)
                return false
            }
            if stopped {
                waiter.resume()
            } else {
                _ = curl.multiWakeup(multi.handle)
            }
        }
    }

    /// Asks the thread to stop without waiting for it.
    func requestStop() {
        let wake = mailbox.withLock { mailbox -> Bool in
            guard mailbox.phase == .running else { return false }
            mailbox.phase = .stopping
            return true
        }
        if wake { _ = curl.multiWakeup(multi.handle) }
    }

    private static func wakeIfSleeping(_ mailbox: inout Mailbox) -> Bool {
        guard mailbox.sleeping && !mailbox.woken else { return false }
        mailbox.woken = true
        return true
    }

    static let shutDownError = RecordError(.network, "the transport was shut down")
    static let cancelledError = RecordError(.network, "cancelled")

    // MARK: Called from the loop thread

    /// Moves the queued work into the loop's arrays (swapping, so both keep their capacity); false when the
    /// loop must stop.
    fileprivate func collect(
        _ submissions: inout [Submission], _ cancellations: inout [UInt64], _ jobs: inout [UnownedJob]
    ) -> Bool {
        mailbox.withLock { mailbox in
            mailbox.sleeping = false
            mailbox.woken = false
            swap(&jobs, &mailbox.jobs)
            guard mailbox.phase == .running else { return false }
            swap(&submissions, &mailbox.submissions)
            swap(&cancellations, &mailbox.cancellations)
            return true
        }
    }

    /// Moves the jobs queued since the last collection into `jobs`; false when there were none.
    fileprivate func collectJobs(_ jobs: inout [UnownedJob]) -> Bool {
        mailbox.withLock { mailbox in
            swap(&jobs, &mailbox.jobs)
            return !jobs.isEmpty
        }
    }

    /// Adds the requests and cancellations queued since ``collect(_:_:_:)`` (by the jobs just run) to the
    /// loop's arrays; false when the loop must stop after this turn.
    fileprivate func collectSubmissions(_ submissions: inout [Submission], _ cancellations: inout [UInt64]) -> Bool {
        mailbox.withLock { mailbox in
            submissions.append(contentsOf: mailbox.submissions)
            mailbox.submissions.removeAll(keepingCapacity: true)
            cancellations.append(contentsOf: mailbox.cancellations)
            mailbox.cancellations.removeAll(keepingCapacity: true)
            return mailbox.phase == .running
        }
    }

    /// Marks the thread as about to poll; false when work arrived meanwhile and it should go round again.
    fileprivate func prepareToSleep() -> Bool {
        mailbox.withLock { mailbox in
            guard mailbox.submissions.isEmpty, mailbox.cancellations.isEmpty, mailbox.jobs.isEmpty,
                mailbox.phase == .running
            else {
                return false
            }
            mailbox.sleeping = true
            return true
        }
    }

    /// Marks the loop stopped and hands back what was still queued and who waits for the stop.
    fileprivate func markStopped() -> ([Submission], [CheckedContinuation<Void, Never>], [UnownedJob]) {
        mailbox.withLock { mailbox in
            mailbox.phase = .stopped
            let queued = mailbox.submissions
            let waiters = mailbox.stopWaiters
            let jobs = mailbox.jobs
            mailbox.submissions = []
            mailbox.cancellations = []
            mailbox.stopWaiters = []
            mailbox.jobs = []
            return (queued, waiters, jobs)
        }
    }
}

/// The loop thread's own state: the pool of easy handles. Never leaves that thread.
private final class CurlLoopDriver {
    private let loop: CurlEventLoop
    private let curl: LibCurl
    private let multi: LibCurl.Handle
    /// Every easy handle made so far; `idle` holds those free for the next request.
    private var transfers: [CurlTransfer] = []
    private var idle: [CurlTransfer] = []
    /// How long a poll may sleep when nothing happens; libcurl shortens it to its own next timeout.
    private let pollMilliseconds: Int32 = 1000
    /// How many times one turn runs the jobs that running jobs enqueued.
    private static let jobRoundsPerTurn = 4

    init(loop: CurlEventLoop) {
        self.loop = loop
        curl = loop.curl
        multi = loop.multiHandle
    }

    func run() {
        var submissions: [CurlEventLoop.Submission] = []
        var cancellations: [UInt64] = []
        var jobs: [UnownedJob] = []
        var running: Int32 = 0
        let executor = loop.executor.asUnownedTaskExecutor()
        while loop.collect(&submissions, &cancellations, &jobs) {
            // Swift work first: the tasks resumed last turn hand over their next requests right here, on this
            // thread, with no wake-up of another one. Jobs those jobs enqueue (a finished URL's task wakes the
            // coordinator, which starts the next URL's task) run in the same turn, a bounded number of rounds,
            // so libcurl is never starved.
            var rounds = 0
            repeat {
                for job in jobs { job.runSynchronously(on: executor) }
                jobs.removeAll(keepingCapacity: true)
                rounds += 1
            } while rounds < Self.jobRoundsPerTurn && loop.collectJobs(&jobs)
            let keepRunning = loop.collectSubmissions(&submissions, &cancellations)
            for id in cancellations { cancel(id) }
            cancellations.removeAll(keepingCapacity: true)
            for submission in submissions { start(submission) }
            submissions.removeAll(keepingCapacity: true)
            _ = curl.multiPerform(multi, &running)
            drainMessages()
            if !keepRunning { break }
            if loop.prepareToSleep() {
                _ = curl.multiPoll(multi, nil, 0, pollMilliseconds, nil)
            }
        }
        for job in jobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        tearDown()
    }

    private func start(_ submission: CurlEventLoop.Submission) {
        let transfer: CurlTransfer
        if let reused = idle.popLast() {
            transfer = reused
        } else {
            do throws(CurlTransportError) {
                transfer = try CurlTransfer(curl: curl, configuration: loop.configuration)
                transfers.append(transfer)
            } catch {
                submission.continuation.resume(returning: .failure(RecordError(.network, error.message)))
                return
            }
        }
        do throws(RecordError) {
            try transfer.start(id: submission.id, request: submission.request, continuation: submission.continuation)
        } catch {
            release(transfer, .failure(error))
            return
        }
        let code = curl.multiAddHandle(multi, transfer.easy)
        if code != CurlCode.ok {
            release(transfer, .failure(RecordError(.network, "curl_multi_add_handle failed with code \(code)")))
        }
    }

    /// Reads every completion message and finishes its transfer, so freed handles serve the next requests at once.
    private func drainMessages() {
        var queued: Int32 = 0
        let pointerSize = MemoryLayout<UnsafeRawPointer>.size
        while let message = curl.multiInfoRead(multi, &queued) {
            // struct CURLMsg { CURLMSG msg; CURL *easy_handle; union { void *whatever; CURLcode result; } data; }
            guard message.load(as: Int32.self) == CurlCode.messageDone,
                let easy = message.load(fromByteOffset: pointerSize, as: UnsafeMutableRawPointer?.self)
            else { continue }
            let code = message.load(fromByteOffset: 2 * pointerSize, as: Int32.self)
            // The message is invalid once the handle is removed: everything is read above.
            guard let transfer = CurlTransfer.owner(of: easy, curl: curl) else {
                _ = curl.multiRemoveHandle(multi, easy)
                continue
            }
            _ = curl.multiRemoveHandle(multi, easy)
            release(transfer, transfer.outcome(code))
        }
    }

    private func cancel(_ id: UInt64) {
        guard let transfer = transfers.first(where: { $0.id == id && $0.continuation != nil }) else { return }
        _ = curl.multiRemoveHandle(multi, transfer.easy)
        release(transfer, .failure(CurlEventLoop.cancelledError))
    }

    /// Makes `transfer` idle and resumes its caller with `result`.
    private func release(_ transfer: CurlTransfer, _ result: Result<TransportResponse, RecordError>) {
        let continuation = transfer.finish()
        idle.append(transfer)
        continuation?.resume(returning: result)
    }

    private func tearDown() {
        let (queued, waiters, jobs) = loop.markStopped()
        for job in jobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        for submission in queued {
            submission.continuation.resume(returning: .failure(CurlEventLoop.shutDownError))
        }
        for transfer in transfers {
            if transfer.continuation != nil {
                _ = curl.multiRemoveHandle(multi, transfer.easy)
                transfer.finish()?.resume(returning: .failure(CurlEventLoop.shutDownError))
            }
            transfer.close()
        }
        transfers = []
        idle = []
        for waiter in waiters { waiter.resume() }
    }
}

/// A task executor that runs jobs on a ``CurlEventLoop``'s thread, between turns of libcurl: a crawl whose
/// tasks prefer it hands requests to libcurl and takes their answers on one thread, with no wake-up of
/// another thread per request.
final class CurlLoopExecutor: TaskExecutor {
    private unowned let loop: CurlEventLoop

    init(loop: CurlEventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        loop.enqueue(UnownedJob(job))
    }
}
