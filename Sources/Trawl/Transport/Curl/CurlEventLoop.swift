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
    /// The multi handle; only `curl_multi_wakeup` is called on it from other threads, which libcurl allows.
    private struct Multi: @unchecked Sendable {
        let handle: LibCurl.Handle
    }

    let curl: LibCurl
    /// The options every easy handle gets.
    let configuration: CurlMultiTransport.Configuration
    private let multi: Multi
    /// What tasks hand to the thread; it wakes the thread with `curl_multi_wakeup`.
    let mailbox: EventLoopMailbox
    /// Runs the jobs of tasks that prefer it on this loop's thread (see ``CurlMultiTransport/taskExecutors``).
    let executor: EventLoopExecutor

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
        let multi = Multi(handle: handle)
        self.multi = multi
        mailbox = EventLoopMailbox { _ = curl.multiWakeup(multi.handle) }
        executor = EventLoopExecutor(mailbox: mailbox)
        let thread = Thread { [self] in
            mailbox.noteThreadStarted()
            CurlLoopDriver(loop: self).run()
        }
        thread.name = "trawl-curl"
        thread.start()
    }

    deinit {
        _ = curl.multiCleanup(multi.handle)
    }

    var multiHandle: LibCurl.Handle { multi.handle }
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

    init(loop: CurlEventLoop) {
        self.loop = loop
        curl = loop.curl
        multi = loop.multiHandle
    }

    func run() {
        let mailbox = loop.mailbox
        var submissions: [EventLoopMailbox.Submission] = []
        var cancellations: [UInt64] = []
        var jobs: [UnownedJob] = []
        var running: Int32 = 0
        let executor = loop.executor.asUnownedTaskExecutor()
        while mailbox.collect(&submissions, &cancellations, &jobs) {
            // Swift work first: the tasks resumed last turn hand over their next requests right here, on this
            // thread, with no wake-up of another one.
            mailbox.runJobs(&jobs, on: executor)
            let keepRunning = mailbox.collectSubmissions(&submissions, &cancellations)
            // Requests before cancellations: a cancellation collected with its request (the task was cancelled
            // after the loop took the request, before it started it) must find it started.
            for submission in submissions { start(submission) }
            submissions.removeAll(keepingCapacity: true)
            for id in cancellations { cancel(id) }
            cancellations.removeAll(keepingCapacity: true)
            _ = curl.multiPerform(multi, &running)
            drainMessages()
            if !keepRunning { break }
            if mailbox.prepareToSleep() {
                _ = curl.multiPoll(multi, nil, 0, pollMilliseconds, nil)
            }
        }
        for job in jobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        tearDown()
    }

    private func start(_ submission: EventLoopMailbox.Submission) {
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
        release(transfer, .failure(EventLoopMailbox.cancelledError))
    }

    /// Makes `transfer` idle and resumes its caller with `result`.
    private func release(_ transfer: CurlTransfer, _ result: Result<TransportResponse, RecordError>) {
        let continuation = transfer.finish()
        idle.append(transfer)
        continuation?.resume(returning: result)
    }

    private func tearDown() {
        let waiters = loop.mailbox.markStopped()
        for transfer in transfers {
            if transfer.continuation != nil {
                _ = curl.multiRemoveHandle(multi, transfer.easy)
                transfer.finish()?.resume(returning: .failure(EventLoopMailbox.shutDownError))
            }
            transfer.close()
        }
        transfers = []
        idle = []
        for waiter in waiters { waiter.resume() }
    }
}
